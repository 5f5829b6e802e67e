import Foundation
import HTTP
import SimilarityAPI
import Testing

/// The service over a real loopback socket, driven the way its users drive it: the README's curl
/// commands, a Python `requests` client, a JavaScript `fetch` client.
@Suite struct LoopbackTests {
    /// Runs a shell command line (bash), failing the test on a non-zero exit; returns its output.
    static func shell(_ command: String, in folder: URL, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try ExternalTools.run("bash", ["-o", "pipefail", "-c", command], currentDirectory: folder)
        #expect(result.status == 0, "\(command)\n\(result.output)", sourceLocation: sourceLocation)
        return result.output
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    @Test(.enabled(if: ExternalTools.path(of: "curl") != nil, "needs curl"))
    func theREADMECurlExamplesWork() throws {
        let fixture = try APIFixture(indexed: false)
        defer { fixture.remove() }
        let base = fixture.baseURL
        try Data(try APIFixture.photo("p0005.jpg")).write(to: fixture.folder.appendingPathComponent("image.jpg"))
        try Data(try APIFixture.photo("p0002.jpg")).write(to: fixture.folder.appendingPathComponent("product.jpg"))

        let health = Self.json(try Self.shell("curl -s \(base)/health", in: fixture.folder))
        #expect(health["status"] as? String == "healthy" && health["features_loaded"] as? Bool == false)
        let incremental = Self.json(try Self.shell("curl -s -X POST \(base)/api/v1/preprocess", in: fixture.folder))
        #expect(incremental["success"] as? Bool == true && incremental["new_images"] as? Int == APIFixture.catalogPhotos.count)
        let full = Self.json(try Self.shell("curl -s -X POST \"\(base)/api/v1/preprocess?force_full=true\"", in: fixture.folder))
        #expect(full["total_images"] as? Int == APIFixture.catalogPhotos.count)
        let batch = Self.json(try Self.shell("curl -s -X POST \"\(base)/api/v1/preprocess?batch_size=64\"", in: fixture.folder))
        #expect(batch["new_images"] as? Int == 0)

        let basic = Self.json(try Self.shell("curl -s -X POST \(base)/api/v1/find-similar -F \"file=@image.jpg\"", in: fixture.folder))
        #expect(((basic["matches"] as? [[String: Any]])?.first?["filename"] as? String) == "p0005.jpg")
        #expect(basic["threshold_used"] as? Double == 0.84)
        let tuned = Self.json(try Self.shell(
            "curl -s -X POST \"\(base)/api/v1/find-similar?threshold=0.85&top_k=5\" -F \"file=@image.jpg\"", in: fixture.folder))
        #expect(tuned["threshold_used"] as? Double == 0.85 && ((tuned["matches"] as? [Any])?.count ?? 99) <= 5)

        let status = Self.json(try Self.shell("curl -s \(base)/api/v1/preprocess/status", in: fixture.folder))
        #expect(status["processed_images"] as? Int == APIFixture.catalogPhotos.count && status["pending_images"] as? Int == 0)
        let stats = Self.json(try Self.shell("curl -s \(base)/stats", in: fixture.folder))
        #expect(stats["total_products"] as? Int == APIFixture.catalogPhotos.count && stats["feature_dimension"] as? Int == 1024)

        guard ExternalTools.path(of: "jq") != nil else { return }
        let matches = try Self.shell("""
            curl -s -X POST "\(base)/api/v1/find-similar?threshold=0.85&top_k=5" \\
              -F "file=@product.jpg" \\
              | jq '.matches[] | {filename, similarity_score}'
            """, in: fixture.folder)
        #expect(matches.contains("\"filename\": \"p0002.jpg\""))
        let preprocess = try Self.shell("curl -s -X POST \(base)/api/v1/preprocess | jq '{success, new_images, processing_time}'",
                                        in: fixture.folder)
        #expect(preprocess.contains("\"success\": true") && preprocess.contains("\"new_images\": 0"))
        let pending = try Self.shell("curl -s \(base)/api/v1/preprocess/status | jq '{total_images, pending_images, last_update}'",
                                     in: fixture.folder)
        #expect(pending.contains("\"pending_images\": 0") && !pending.contains("\"last_update\": null"))
        let healthy = try Self.shell("curl -s \(base)/health | jq '{status, total_products}'", in: fixture.folder)
        #expect(healthy.contains("\"status\": \"healthy\"") && healthy.contains("\"total_products\": 6"))
    }

    @Test(.enabled(if: ExternalTools.path(of: "curl") != nil, "needs curl"))
    func errorsOverTheSocketKeepTheShape() throws {
        let fixture = try APIFixture { $0.maxUploadBytes = 100_000 }
        defer { fixture.remove() }
        let base = fixture.baseURL
        try Data([UInt8](repeating: 0xFF, count: 300_000)).write(to: fixture.folder.appendingPathComponent("big.jpg"))
        try Data("plain text".utf8).write(to: fixture.folder.appendingPathComponent("notes.txt"))
        try Data(try APIFixture.photo("p0001.jpg")).write(to: fixture.folder.appendingPathComponent("image.jpg"))
        let cases: [(String, Int)] = [
            ("curl -s -w '\\n%{http_code}' -X POST \(base)/api/v1/find-similar -F file=@big.jpg", 413),
            ("curl -s -w '\\n%{http_code}' -X POST \(base)/api/v1/find-similar -F file=@notes.txt", 415),
            ("curl -s -w '\\n%{http_code}' -X POST \(base)/api/v1/find-similar -F other=@image.jpg", 400),
            ("curl -s -w '\\n%{http_code}' -X POST '\(base)/api/v1/find-similar?top_k=0' -F file=@image.jpg", 422),
            ("curl -s -w '\\n%{http_code}' -X POST \(base)/api/v1/find-similar -H 'Expect: 100-continue' -F file=@image.jpg", 200),
            ("curl -s -w '\\n%{http_code}' \(base)/nowhere", 404),
        ]
        for (command, status) in cases {
            let output = try Self.shell(command, in: fixture.folder)
            let lines = output.split(separator: "\n")
            #expect(lines.last.map(String.init) == String(status), "\(command)")
            let body = Self.json(lines.dropLast().joined(separator: "\n"))
            if status == 200 {
                #expect(body["success"] as? Bool == true)
            } else {
                #expect(body["success"] as? Bool == false && body["error"] is String && body["detail"] != nil, "\(command): \(output)")
            }
        }
    }

    @Test(.enabled(if: ExternalTools.path(of: "curl") != nil, "needs curl"))
    func corsAllowsBrowsersFromConfiguredOrigins() throws {
        let fixture = try APIFixture(indexed: false) { $0.corsAllowedOrigins = ["https://shop.example"] }
        defer { fixture.remove() }
        let allowed = try Self.shell("curl -s -D - -o /dev/null -H 'Origin: https://shop.example' \(fixture.baseURL)/health",
                                     in: fixture.folder)
        #expect(allowed.lowercased().contains("access-control-allow-origin: https://shop.example"))
        let other = try Self.shell("curl -s -D - -o /dev/null -H 'Origin: https://evil.example' \(fixture.baseURL)/health",
                                   in: fixture.folder)
        #expect(!other.lowercased().contains("access-control-allow-origin"))
        let preflight = try Self.shell("""
            curl -s -D - -o /dev/null -X OPTIONS -H 'Origin: https://shop.example' \
              -H 'Access-Control-Request-Method: POST' \(fixture.baseURL)/api/v1/find-similar
            """, in: fixture.folder)
        #expect(preflight.hasPrefix("HTTP/1.1 2"))
        #expect(preflight.lowercased().contains("access-control-allow-methods:") && preflight.contains("POST"))
    }

    @Test(.enabled(if: ExternalTools.pythonHas("requests"), "needs python3 with requests"))
    func aPythonRequestsClientAsInTheOriginalREADME() throws {
        let fixture = try APIFixture(indexed: false)
        defer { fixture.remove() }
        try Data(try APIFixture.photo("p0003.jpg")).write(to: fixture.folder.appendingPathComponent("test_image.jpg"))
        let script = """
            import json, sys
            import requests

            class Client:
                def __init__(self, base_url):
                    self.base_url = base_url

                def find_similar(self, image_path, threshold=0.84, top_k=10):
                    with open(image_path, "rb") as f:
                        r = requests.post(f"{self.base_url}/api/v1/find-similar", files={"file": f},
                                          params={"threshold": threshold, "top_k": top_k})
                    return r.json()

                def preprocess(self, force_full=False):
                    return requests.post(f"{self.base_url}/api/v1/preprocess", params={"force_full": force_full}).json()

                def get_status(self):
                    return requests.get(f"{self.base_url}/api/v1/preprocess/status").json()

            client = Client(sys.argv[1])
            out = {"preprocess": client.preprocess(), "full": client.preprocess(force_full=True),
                   "status": client.get_status(),
                   "similar": client.find_similar("test_image.jpg", threshold=0.85, top_k=5)}
            print(json.dumps(out))
            """
        try Data(script.utf8).write(to: fixture.folder.appendingPathComponent("client.py"))
        let result = try ExternalTools.run("python3", ["client.py", fixture.baseURL], currentDirectory: fixture.folder)
        #expect(result.status == 0, "\(result.output)")
        let out = Self.json(result.output)
        #expect((out["preprocess"] as? [String: Any])?["new_images"] as? Int == APIFixture.catalogPhotos.count)
        #expect((out["full"] as? [String: Any])?["success"] as? Bool == true)
        #expect((out["status"] as? [String: Any])?["pending_images"] as? Int == 0)
        let similar = try #require(out["similar"] as? [String: Any])
        #expect(similar["threshold_used"] as? Double == 0.85)
        #expect(((similar["matches"] as? [[String: Any]])?.first?["filename"] as? String) == "p0003.jpg")
    }

    @Test(.enabled(if: ExternalTools.path(of: "node") != nil, "needs node"))
    func aJavaScriptFetchClientAsInTheOriginalREADME() throws {
        let fixture = try APIFixture(indexed: false)
        defer { fixture.remove() }
        try Data(try APIFixture.photo("p0006.jpg")).write(to: fixture.folder.appendingPathComponent("upload.jpg"))
        let script = """
            const fs = require('fs');
            const base = process.argv[2];

            async function findSimilar(imageFile) {
                const formData = new FormData();
                formData.append('file', imageFile, 'upload.jpg');
                const response = await fetch(`${base}/api/v1/find-similar?threshold=0.84&top_k=10`,
                                             { method: 'POST', body: formData });
                return await response.json();
            }

            async function preprocess() {
                const response = await fetch(`${base}/api/v1/preprocess`, { method: 'POST' });
                return await response.json();
            }

            (async () => {
                const indexed = await preprocess();
                const file = new Blob([fs.readFileSync('upload.jpg')], { type: 'image/jpeg' });
                const results = await findSimilar(file);
                console.log(JSON.stringify({ indexed, results }));
            })().catch((error) => { console.error(error); process.exit(1); });
            """
        try Data(script.utf8).write(to: fixture.folder.appendingPathComponent("client.js"))
        let result = try ExternalTools.run("node", ["client.js", fixture.baseURL], currentDirectory: fixture.folder)
        #expect(result.status == 0, "\(result.output)")
        let out = Self.json(result.output)
        #expect((out["indexed"] as? [String: Any])?["new_images"] as? Int == APIFixture.catalogPhotos.count)
        let results = try #require(out["results"] as? [String: Any])
        #expect(((results["matches"] as? [[String: Any]])?.first?["filename"] as? String) == "p0006.jpg")
    }
}
