import Foundation
import HDF5
import TestSupport
import Testing

/// Writes real files in a temporary folder, closes them and reads them back.
@Suite struct RoundTripTests {
    /// Creates a file in a fresh folder, lets `write` fill it, closes it and reopens it read-only.
    static func roundTrip(_ write: (HDF5Group) throws -> Void) throws -> (HDF5File, URL) {
        let folder = try TestPaths.makeTemporaryDirectory("hdf5")
        let path = folder.appendingPathComponent("data.h5").path
        let file = try HDF5File.create(path)
        try write(file.root)
        try file.flush()
        try file.close()
        return (try HDF5File.openReadOnly(path), folder)
    }

    static func pseudoRandomValues(_ count: Int) -> [Float] {
        (0..<count).map { Float(($0 * 7919) % 1000) / 37 - 13.5 }
    }

    @Test(arguments: [[5], [3, 4], [2, 3, 4], [3, 3, 3, 8], [], [0], [0, 1024], [4, 0, 2]])
    func floats(shape: [Int]) throws {
        let values = Self.pseudoRandomValues(shape.reduce(1, *))
        let (file, folder) = try Self.roundTrip { try $0.writeFloats("matrix", shape: shape, values: values) }
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try file.root.readFloats("matrix") == FloatArray(shape: shape, values: values))
    }

    @Test func floatsFromBufferIntoNestedGroups() throws {
        let values = Self.pseudoRandomValues(12)
        let (file, folder) = try Self.roundTrip { root in
            try values.withUnsafeBufferPointer { try root.writeFloats("a/b/weights", shape: [3, 4], values: $0) }
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(file.root.exists("a/b"))
        #expect(try file.root.openGroup("a").readFloats("b/weights").values == values)
        #expect(try file.root.openGroup("a/b").readFloats("weights").shape == [3, 4])
    }

    @Test func writingAgainReplacesADataset() throws {
        let (file, folder) = try Self.roundTrip { root in
            try root.writeFloats("x", shape: [2], values: [1, 2])
            try root.writeFloats("x", shape: [1, 3], values: [4, 5, 6])
            try root.writeStrings("s", ["old"])
            try root.writeStrings("s", ["new", "er"])
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try file.root.readFloats("x") == FloatArray(shape: [1, 3], values: [4, 5, 6]))
        #expect(try file.root.readStrings("s") == ["new", "er"])
    }

    @Test(arguments: [
        ["plain", "with,comma", "", "\"quoted\"", "ünïcödé ✓ 画像", "tab\tand\nnewline", "images/a b/c.jpg"],
        [],
        [""],
    ])
    func strings(values: [String]) throws {
        let (file, folder) = try Self.roundTrip { try $0.writeStrings("ids", values) }
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try file.root.readStrings("ids") == values)
    }

    @Test func stringsWithNULAreRejected() throws {
        let folder = try TestPaths.makeTemporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try HDF5File.create(folder.appendingPathComponent("nul.h5").path)
        #expect(throws: HDF5Error.self) { try file.root.writeStrings("bad", ["a\u{0}b"]) }
        #expect(throws: HDF5Error.self) { try file.root.setAttribute("bad", string: "a\u{0}b") }
    }

    @Test func groupsAndMembers() throws {
        let (file, folder) = try Self.roundTrip { root in
            let layer = try root.createGroup("layer")
            try layer.writeFloats("w:0", shape: [1], values: [1])
            _ = try root.createGroup("deep/er/group")
            #expect(try root.createGroup("layer").path == "/layer")
            try root.writeStrings("names", ["x"])
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        let root = file.root
        #expect(try root.memberNames() == ["deep", "layer", "names"])
        #expect(try root.openGroup("deep/er").memberNames() == ["group"])
        #expect(root.exists("layer/w:0"))
        #expect(root.exists("deep/er/group"))
        #expect(!root.exists("layer/missing"))
        #expect(!root.exists("missing/deeper"))
        #expect(!root.exists("names/inside"))
        #expect(!root.exists(""))
    }

    @Test func attributesOfEveryKind() throws {
        let list = ["alpha", "with,comma", "", "ünïcödé"]
        let (file, folder) = try Self.roundTrip { root in
            try root.setAttribute("model", string: "mobilenet ✓")
            try root.setAttribute("list", strings: list)
            try root.setAttribute("none", strings: [])
            try root.setAttribute("alpha", double: 0.25)
            try root.setAttribute("dimension", int: 1024)
            try root.setAttribute("negative", int: -7)
            try root.setAttribute("version", int: 1)
            try root.setAttribute("version", int: 2)  // replaces
            try root.setAttribute("model", string: "replaced")
            let group = try root.createGroup("layer")
            try group.setAttribute("weight_names", strings: ["layer/kernel:0"])
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        let root = file.root
        #expect(try root.stringAttribute("model") == "replaced")
        #expect(try root.stringsAttribute("model") == ["replaced"])
        #expect(try root.stringsAttribute("list") == list)
        #expect(try root.stringsAttribute("none") == [])
        #expect(try root.doubleAttribute("alpha") == 0.25)
        #expect(try root.intAttribute("dimension") == 1024)
        #expect(try root.doubleAttribute("dimension") == 1024)
        #expect(try root.intAttribute("negative") == -7)
        #expect(try root.intAttribute("version") == 2)
        #expect(try root.openGroup("layer").stringsAttribute("weight_names") == ["layer/kernel:0"])
        #expect(root.hasAttribute("alpha"))
        #expect(!root.hasAttribute("missing"))
        #expect(!(try root.openGroup("layer")).hasAttribute("alpha"))
    }

    @Test func integralDoubleReadsAsIntButFractionDoesNot() throws {
        let (file, folder) = try Self.roundTrip { root in
            try root.setAttribute("whole", double: 224)
            try root.setAttribute("fraction", double: 0.5)
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try file.root.intAttribute("whole") == 224)
        #expect(throws: HDF5Error.typeMismatch(path: "/@fraction", expected: "an integer")) {
            try file.root.intAttribute("fraction")
        }
    }

    @Test func createTruncatesAnExistingFile() throws {
        let folder = try TestPaths.makeTemporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("t.h5").path
        let first = try HDF5File.create(path)
        try first.root.writeFloats("old", shape: [1], values: [1])
        try first.close()
        try HDF5File.create(path).close()
        #expect(try HDF5File.openReadOnly(path).root.memberNames() == [])
    }

    @Test func concurrentReadersAndWriters() async throws {
        let folder = try TestPaths.makeTemporaryDirectory("hdf5")
        defer { try? FileManager.default.removeItem(at: folder) }
        let weights = try HDF5File.openReadOnly(WeightFileTests.alpha025)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for task in 0..<8 {
                tasks.addTask {
                    let file = try HDF5File.create(folder.appendingPathComponent("\(task).h5").path)
                    for step in 0..<20 {
                        let kernel = try weights.root.readFloats("conv1/conv1/kernel:0")
                        try file.root.writeFloats("k\(step)", shape: kernel.shape, values: kernel.values)
                        try file.root.setAttribute("step", int: step)
                        #expect(try file.root.readFloats("k\(step)") == kernel)
                    }
                    #expect(try file.root.intAttribute("step") == 19)
                    try file.close()
                }
            }
            try await tasks.waitForAll()
        }
    }
}
