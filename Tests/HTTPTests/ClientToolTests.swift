import Foundation
import HTTP
import Testing

/// Real clients the service meets: curl (cron jobs) and Python requests.
@Suite struct ClientToolTests {
    static let curl = which("curl")
    static let python = which("python3")
    static let hasRequests: Bool = {
        guard let python else { return false }
        return (try? run(python, ["-c", "import requests"]).status) == 0
    }()

    struct PartSummary: Codable, Equatable {
        var name: String
        var filename: String?
        var contentType: String?
        var size: Int
        var checksum: String
    }

    struct UploadSummary: Codable {
        var topK: String?
        var parts: [PartSummary]
    }

    /// A server whose `/upload` describes the multipart form it received.
    static func uploadServer() throws -> TestServer {
        try TestServer(configure: { $0.maxBodyBytes = 8 * 1024 * 1024 }, routes: { router in
            router.add("POST", "/upload") { request in
                do {
                    let form = try MultipartFormData(body: request.body, contentType: request.headers["Content-Type"] ?? "")
                    let parts = form.parts.map {
                        PartSummary(name: $0.name, filename: $0.filename, contentType: $0.contentType,
                                    size: $0.body.count, checksum: checksum($0.body))
                    }
                    return .json(UploadSummary(topK: request.query["top_k"], parts: parts))
                } catch let error as HTTPError {
                    return .error(error)
                } catch {
                    return .error(status: 500, message: "\(error)")
                }
            }
        })
    }

    static func summary(_ text: some StringProtocol) throws -> UploadSummary {
        try JSONDecoder().decode(UploadSummary.self, from: Data(text.utf8))
    }

    static func temporaryFile(_ bytes: [UInt8], name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("http-test-\(UUID().uuidString)-\(name)")
        try Data(bytes).write(to: url)
        return url
    }

    @Test(.enabled(if: curl != nil, "curl is not installed"))
    func curlReusesTheConnection() throws {
        let server = try TestServer()
        defer { server.stop() }
        let result = try run(Self.curl!, ["-s", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{http_code}:%{num_connects} ",
                                          "\(server.url)/health", "\(server.url)/echo/x"])
        #expect(result.status == 0)
        #expect(result.output == "200:1 200:0 ")
    }

    @Test(.enabled(if: curl != nil, "curl is not installed"))
    func curlMultipartUploadWithExpectContinue() throws {
        let server = try Self.uploadServer()
        defer { server.stop() }
        let payload = randomBytes(2_500_000)
        let file = try Self.temporaryFile(payload, name: "photo.jpg")
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try run(Self.curl!, ["-sv", "--max-time", "30", "-F", "file=@\(file.path);type=image/jpeg", "-F", "threshold=0.85",
                                          "\(server.url)/upload?top_k=5"])
        #expect(result.status == 0)
        #expect(result.error.contains("> Expect: 100-continue"))
        #expect(result.error.contains("< HTTP/1.1 100 Continue"))
        let upload = try Self.summary(result.output)
        #expect(upload.topK == "5")
        #expect(upload.parts == [
            PartSummary(name: "file", filename: file.lastPathComponent, contentType: "image/jpeg",
                        size: payload.count, checksum: checksum(payload)),
            PartSummary(name: "threshold", filename: nil, contentType: nil, size: 4, checksum: checksum(Array("0.85".utf8))),
        ])
    }

    @Test(.enabled(if: curl != nil, "curl is not installed"))
    func curlChunkedUpload() throws {
        let server = try TestServer()
        defer { server.stop() }
        let payload = randomBytes(1_200_000, seed: 7)
        let file = try Self.temporaryFile(payload, name: "body.bin")
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try run(Self.curl!, ["-s", "--max-time", "30", "-H", "Transfer-Encoding: chunked",
                                          "--data-binary", "@\(file.path)", "\(server.url)/size"])
        #expect(result.status == 0)
        #expect(result.output == "1200000 \(checksum(payload))")
    }

    @Test(.enabled(if: curl != nil, "curl is not installed"))
    func curlSeesThe413ForATooLargeUpload() throws {
        let server = try TestServer(configure: { $0.maxBodyBytes = 1_000_000 })
        defer { server.stop() }
        let file = try Self.temporaryFile(randomBytes(3_000_000), name: "big.jpg")
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try run(Self.curl!, ["-s", "--max-time", "30", "-w", " %{http_code}", "-F", "file=@\(file.path)", "\(server.url)/size"])
        #expect(result.output.hasSuffix(" 413"))
        #expect(result.output.contains(#""success":false"#))
    }

    @Test(.enabled(if: hasRequests, "python3 with requests is not available"))
    func pythonRequestsMultipart() throws {
        let server = try Self.uploadServer()
        defer { server.stop() }
        let payload = randomBytes(300_000, seed: 9)
        let file = try Self.temporaryFile(payload, name: "query.png")
        defer { try? FileManager.default.removeItem(at: file) }
        // The original service's Python client: files={'file': f} sends no part Content-Type.
        let script = """
        import requests, sys
        with open(sys.argv[2], 'rb') as f:
            r = requests.post(sys.argv[1] + '/upload', files={'file': f}, params={'threshold': 0.84, 'top_k': 10})
        print(r.status_code)
        print(r.text)
        r = requests.get(sys.argv[1] + '/health')
        print(r.status_code, r.json()['status'])
        """
        let result = try run(Self.python!, ["-c", script, server.url, file.path])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n")
        #expect(lines.first == "200")
        let upload = try Self.summary(lines.dropFirst().first ?? "")
        #expect(upload.topK == "10")
        #expect(upload.parts == [PartSummary(name: "file", filename: file.lastPathComponent, contentType: nil,
                                             size: payload.count, checksum: checksum(payload))])
        #expect(lines.last == "200 healthy")
    }
}
