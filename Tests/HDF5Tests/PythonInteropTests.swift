import Foundation
import HDF5
import TestSupport
import Testing

/// Runs python3 with h5py on files written by the wrapper, and the other way round.
/// Skipped when python3 or h5py is not installed.
@Suite(.enabled(if: Python.hasH5py, "python3 with h5py is not installed"))
struct PythonInteropTests {
    @Test func h5pyReadsWhatTheWrapperWrites() throws {
        let folder = try TestPaths.makeTemporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("written.h5").path
        let file = try HDF5File.create(path)
        let features: [Float] = [0.5, -1.25, 3, 1e-7, 0, 42, -0.0078125, 7]
        try file.root.writeFloats("features", shape: [2, 4], values: features)
        try file.root.writeFloats("empty", shape: [0, 4], values: [])
        try file.root.writeStrings("paths", ["a,b.jpg", "ünï ✓.png", ""])
        try file.root.setAttribute("model", string: "mobilenet")
        try file.root.setAttribute("names", strings: ["x", "画像"])
        try file.root.setAttribute("alpha", double: 0.25)
        try file.root.setAttribute("dimension", int: 1024)
        try file.root.createGroup("layer").setAttribute("weight_names", strings: [])
        try file.close()

        let output = try Python.run("""
            import h5py, json, sys
            with h5py.File(sys.argv[1], "r") as f:
                a = f.attrs
                print(json.dumps({
                    "features": f["features"][()].tolist(), "features_dtype": str(f["features"].dtype),
                    "empty_shape": list(f["empty"].shape),
                    "paths": list(f["paths"].asstr()[()]),
                    "model": a["model"], "names": [str(s) for s in a["names"]],
                    "alpha": float(a["alpha"]), "dimension": int(a["dimension"]),
                    "weight_names": len(f["layer"].attrs["weight_names"]),
                }))
            """, arguments: [path])
        struct Seen: Decodable {
            let features: [[Float]], features_dtype: String, empty_shape: [Int], paths: [String]
            let model: String, names: [String], alpha: Double, dimension: Int, weight_names: Int
        }
        let seen = try JSONDecoder().decode(Seen.self, from: Data(output.utf8))
        #expect(seen.features == [Array(features[0..<4]), Array(features[4..<8])])
        #expect(seen.features_dtype == "float32")
        #expect(seen.empty_shape == [0, 4])
        #expect(seen.paths == ["a,b.jpg", "ünï ✓.png", ""])
        #expect(seen.model == "mobilenet")
        #expect(seen.names == ["x", "画像"])
        #expect(seen.alpha == 0.25)
        #expect(seen.dimension == 1024)
        #expect(seen.weight_names == 0)
    }

    @Test func wrapperReadsWhatH5pyWrites() throws {
        let folder = try TestPaths.makeTemporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("python.h5").path
        _ = try Python.run("""
            import h5py, numpy as np, sys
            with h5py.File(sys.argv[1], "w") as f:
                f["f64"] = np.arange(6, dtype="<f8").reshape(2, 3) / 4
                f["f16"] = np.array([1.5, -2.0], dtype="<f2")
                f["i32"] = np.array([[1, -2]], dtype=">i4")
                f["fixed"] = np.array([b"ab", b"", b"cde"], dtype="S5")
                f["vlen_bytes"] = np.array([b"x,y", b""], dtype=h5py.special_dtype(vlen=bytes))
                f["vlen_str"] = np.array(["ünï", "✓"], dtype=h5py.string_dtype())
                f["scalar_str"] = "alone"
                f.attrs["fixed_names"] = np.array([b"conv1", b"conv1_bn"], dtype="S15")
                f.attrs["empty"] = np.zeros((0,), dtype="f8")
                f.attrs["count"] = np.uint8(200)
                f.attrs["ratio"] = np.float32(0.5)
                f.attrs["one_element"] = np.array([7], dtype="i2")
                f.attrs["text"] = "variable"
                f.attrs["fixed_text"] = np.bytes_(b"fixed")
            """, arguments: [path])
        let root = try HDF5File.openReadOnly(path).root
        #expect(try root.readFloats("f64") == FloatArray(shape: [2, 3], values: [0, 0.25, 0.5, 0.75, 1, 1.25]))
        #expect(try root.readFloats("f16").values == [1.5, -2])
        #expect(try root.readFloats("i32") == FloatArray(shape: [1, 2], values: [1, -2]))
        #expect(try root.readStrings("fixed") == ["ab", "", "cde"])
        #expect(try root.readStrings("vlen_bytes") == ["x,y", ""])
        #expect(try root.readStrings("vlen_str") == ["ünï", "✓"])
        #expect(try root.readStrings("scalar_str") == ["alone"])
        #expect(try root.stringsAttribute("fixed_names") == ["conv1", "conv1_bn"])
        #expect(try root.stringsAttribute("empty") == [])
        #expect(try root.intAttribute("count") == 200)
        #expect(try root.doubleAttribute("ratio") == 0.5)
        #expect(try root.intAttribute("one_element") == 7)
        #expect(try root.stringAttribute("text") == "variable")
        #expect(try root.stringAttribute("fixed_text") == "fixed")
        #expect(try root.memberNames() == ["f16", "f64", "fixed", "i32", "scalar_str", "vlen_bytes", "vlen_str"])
    }
}

/// Runs python3 scripts for the interoperability tests.
enum Python {
    static let hasH5py: Bool = (try? run("import h5py, numpy")) != nil

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `script` with `arguments`; returns its standard output, throws when it exits non-zero.
    @discardableResult
    static func run(_ script: String, arguments: [String] = []) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "python3 failed: " + String(decoding: stderr, as: UTF8.self))
        }
        return String(decoding: stdout, as: UTF8.self)
    }
}
