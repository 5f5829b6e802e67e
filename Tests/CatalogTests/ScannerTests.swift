import Catalog
import Foundation
import Testing
import TestSupport

@Suite("Catalog scan")
struct ScannerTests {
    @Test("image extensions in any case, subfolders, hidden entries and links")
    func rules() throws {
        let root = try TestPaths.makeTemporaryDirectory("scan")
        defer { try? FileManager.default.removeItem(at: root) }
        let images = root.appendingPathComponent("images")
        let outside = root.appendingPathComponent("outside")
        for folder in [images, outside, images.appendingPathComponent("shoes/summer"), images.appendingPathComponent(".cache")] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        let names = ["a.jpg", "B.JPEG", "c.Png", "notes.txt", "shoes/red.jpg", "shoes/summer/blue sky, 2.png",
                     "héllo wörld.jpg", ".hidden.jpg", ".cache/x.jpg", "noextension", "jpg"]
        for name in names { try Data([1, 2, 3]).write(to: images.appendingPathComponent(name)) }
        try Data([4]).write(to: outside.appendingPathComponent("elsewhere.jpg"))
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: images.appendingPathComponent("link-in.jpg").path, withDestinationPath: images.appendingPathComponent("a.jpg").path)
        try fm.createSymbolicLink(atPath: images.appendingPathComponent("link-out.jpg").path, withDestinationPath: outside.appendingPathComponent("elsewhere.jpg").path)
        try fm.createSymbolicLink(atPath: images.appendingPathComponent("folder-link").path, withDestinationPath: images.appendingPathComponent("shoes").path)

        let scan = try CatalogScanner.scan(images.path)
        #expect(scan.files.map(\.relativePath) == ["B.JPEG", "a.jpg", "c.Png", "héllo wörld.jpg", "link-in.jpg",
                                                    "shoes/red.jpg", "shoes/summer/blue sky, 2.png"])
        #expect(scan.files.map(\.id) == ["B", "a", "c", "héllo wörld", "link-in", "shoes/red", "shoes/summer/blue sky, 2"])
        #expect(scan.skipped >= 3)  // .hidden.jpg, .cache, link-out.jpg
        let linked = try #require(scan.files.first { $0.relativePath == "link-in.jpg" })
        #expect(linked.stamp.size == 3)
    }

    @Test("two files with the same stem keep their extensions in their ids")
    func idCollisions() throws {
        let root = try TestPaths.makeTemporaryDirectory("scan-ids")
        defer { try? FileManager.default.removeItem(at: root) }
        for name in ["item.jpg", "item.png", "other.jpeg"] { try Data([0]).write(to: root.appendingPathComponent(name)) }
        let ids = try CatalogScanner.scan(root.path).files.map(\.id)
        #expect(ids == ["item.jpg", "item.png", "other"])
    }

    @Test("stamps change when a file's content changes")
    func stamps() throws {
        let root = try TestPaths.makeTemporaryDirectory("scan-stamps")
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("x.jpg")
        try Data([1, 2]).write(to: file)
        let before = try CatalogScanner.scan(root.path).files[0].stamp
        #expect(try CatalogScanner.scan(root.path).files[0].stamp == before)
        try Data([1, 2, 3]).write(to: file)
        let after = try CatalogScanner.scan(root.path).files[0].stamp
        #expect(after != before)
        #expect(after.size == 3)
    }

    @Test("a missing folder is a clear error")
    func missingFolder() {
        #expect(throws: CatalogError.imagesFolderMissing("/nonexistent/images")) {
            try CatalogScanner.scan("/nonexistent/images")
        }
    }
}

@Suite("MD5")
struct MD5Tests {
    @Test("known digests")
    func known() {
        #expect(MD5.hex(of: []) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(MD5.hex(of: Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(MD5.hex(of: Array("The quick brown fox jumps over the lazy dog".utf8)) == "9e107d9d372bb6826bd81d3542a419d6")
    }

    @Test("a file larger than the read chunk hashes like its bytes")
    func file() throws {
        let root = try TestPaths.makeTemporaryDirectory("md5")
        defer { try? FileManager.default.removeItem(at: root) }
        let bytes = (0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let file = root.appendingPathComponent("big.bin")
        try Data(bytes).write(to: file)
        #expect(try MD5.hex(ofFile: file.path) == MD5.hex(of: bytes))
        #expect(throws: CatalogError.self) { try MD5.hex(ofFile: root.appendingPathComponent("missing").path) }
    }
}
