import Foundation
import HDF5
import TestSupport
import Testing

/// Every failure surfaces as an `HDF5Error`, never as a crash.
@Suite struct ErrorTests {
    @Test func missingFile() {
        let path = "/nonexistent-folder/none.h5"
        #expect(throws: HDF5Error.openFailed(path: path)) { try HDF5File.openReadOnly(path) }
        #expect(throws: HDF5Error.createFailed(path: path)) { try HDF5File.create(path) }
    }

    @Test func notAnHDF5File() throws {
        let folder = try TestPaths.makeTemporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("text.h5").path
        try Data("image_id,path\n1,a.jpg\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: HDF5Error.openFailed(path: path)) { try HDF5File.openReadOnly(path) }
        #expect(throws: HDF5Error.openFailed(path: folder.path)) { try HDF5File.openReadOnly(folder.path) }
    }

    @Test(arguments: [WeightFileTests.alpha025, WeightFileTests.alpha100])
    func truncatedWeightFile(source: String) throws {
        let folder = try TestPaths.makeTemporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: source))
        let path = folder.appendingPathComponent("half.h5").path
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        #expect(throws: HDF5Error.openFailed(path: path)) { try HDF5File.openReadOnly(path) }
    }

    @Test func missingObjectsAndAttributes() throws {
        let root = try HDF5File.openReadOnly(WeightFileTests.alpha025).root
        #expect(throws: HDF5Error.notFound(path: "/conv1/conv1/bias:0")) { try root.readFloats("conv1/conv1/bias:0") }
        #expect(throws: HDF5Error.notFound(path: "/nope/deeper")) { try root.readStrings("nope/deeper") }
        #expect(throws: HDF5Error.notFound(path: "/missing")) { try root.openGroup("missing") }
        #expect(throws: HDF5Error.notFound(path: "/@missing")) { try root.stringsAttribute("missing") }
        #expect(throws: HDF5Error.notFound(path: "/conv1@missing")) {
            try root.openGroup("conv1").doubleAttribute("missing")
        }
        #expect(throws: HDF5Error.self) { try root.readFloats("") }
    }

    @Test func wrongKinds() throws {
        let folder = try TestPaths.makeTemporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try HDF5File.create(folder.appendingPathComponent("kinds.h5").path)
        let root = file.root
        try root.writeStrings("ids", ["a", "b"])
        try root.writeFloats("matrix", shape: [2, 2], values: [1, 2, 3, 4])
        try root.setAttribute("alpha", double: 1)
        try root.setAttribute("name", string: "x")
        try root.setAttribute("pair", strings: ["x", "y"])

        #expect(throws: HDF5Error.typeMismatch(path: "/ids", expected: "a numeric dataset")) {
            try root.readFloats("ids")
        }
        #expect(throws: HDF5Error.typeMismatch(path: "/matrix", expected: "a 1-D string dataset")) {
            try root.readStrings("matrix")
        }
        #expect(throws: HDF5Error.typeMismatch(path: "/matrix", expected: "a group")) { try root.openGroup("matrix") }
        _ = try root.createGroup("layer")
        #expect(throws: HDF5Error.typeMismatch(path: "/layer", expected: "a dataset")) { try root.readFloats("layer") }
        #expect(throws: HDF5Error.typeMismatch(path: "/@alpha", expected: "a string attribute")) {
            try root.stringsAttribute("alpha")
        }
        #expect(throws: HDF5Error.typeMismatch(path: "/@name", expected: "a single number")) {
            try root.doubleAttribute("name")
        }
        #expect(throws: HDF5Error.typeMismatch(path: "/@pair", expected: "a single string")) {
            try root.stringAttribute("pair")
        }
    }

    @Test func badShapesAndClosedFiles() throws {
        let folder = try TestPaths.makeTemporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try HDF5File.create(folder.appendingPathComponent("shape.h5").path)
        let root = file.root
        #expect(throws: HDF5Error.self) { try root.writeFloats("m", shape: [2, 3], values: [1, 2, 3]) }
        #expect(throws: HDF5Error.self) { try root.writeFloats("m", shape: [-1, -3], values: [1, 2, 3]) }
        #expect(throws: HDF5Error.self) { try root.writeFloats("m", shape: [Int.max, 2], values: []) }
        #expect(!root.exists("m"))
        try file.close()
        try file.close()  // idempotent
        #expect(throws: HDF5Error.self) { try root.readFloats("m") }
        #expect(throws: HDF5Error.self) { try root.writeStrings("s", ["a"]) }
        #expect(throws: HDF5Error.self) { try root.setAttribute("a", int: 1) }
        #expect(throws: HDF5Error.self) { try file.flush() }
        #expect(!root.exists("m"))
        #expect(!root.hasAttribute("a"))
    }

    @Test func readOnlyFilesRejectWrites() throws {
        let root = try HDF5File.openReadOnly(WeightFileTests.alpha025).root
        #expect(throws: HDF5Error.writeFailed(path: "/x")) { try root.writeFloats("x", shape: [1], values: [1]) }
        #expect(throws: HDF5Error.writeFailed(path: "/@backend")) { try root.setAttribute("backend", string: "x") }
        #expect(try root.stringAttribute("backend") == "tensorflow")
    }

    @Test func messagesNameThePath() {
        #expect(HDF5Error.notFound(path: "/a/b").description.contains("/a/b"))
        #expect(HDF5Error.openFailed(path: "x.h5").description.contains("x.h5"))
    }
}
