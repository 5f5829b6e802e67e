import Catalog
import Foundation
import HDF5
import Testing
import TestSupport

@Suite("Incremental indexing", .serialized)
struct IndexingTests {
    @Test("add, modify, delete and unchanged runs give the right counts and vectors")
    func cycle() throws {
        let scratch = try Fixtures.Scratch("cycle")
        defer { scratch.cleanUp() }
        for index in 0..<4 { try scratch.add(photo: index, as: "p\(index).jpg") }
        try scratch.add(photo: 4, as: "shoes/red, sale.jpg")
        let catalog = try scratch.open()

        let first = try catalog.preprocess(batchSize: 3)
        #expect((first.totalImages, first.newImages, first.modifiedImages, first.removedImages, first.failedImages) == (5, 5, 0, 0, 0))
        #expect(catalog.store.count == 5)
        // Once written, the float32 rows are read from the feature file; half-precision copies stay.
        let loaded = try scratch.open()
        #expect(catalog.store.readsRowsFromFile && loaded.store.readsRowsFromFile)
        let embedder = QueryEmbedder(model: Fixtures.model)
        let photo4 = try embedder.embed(imageBytes: try Fixtures.bytes(ofPhoto: 4))
        let top = try #require(catalog.store.search(photo4, topK: 1, threshold: 0).first)
        #expect(top.id == "shoes/red, sale" && top.filename == "red, sale.jpg" && top.score > 0.9999)
        #expect(top.path.hasSuffix("/images/shoes/red, sale.jpg"))

        let featureStamp = try fileStamp(scratch.paths.featuresFile)
        let unchanged = try catalog.preprocess()
        #expect((unchanged.newImages, unchanged.removedImages, unchanged.unchangedImages) == (0, 0, 5))
        #expect(try fileStamp(scratch.paths.featuresFile) == featureStamp, "a no-change run rewrote the index")

        try scratch.add(photo: 7, as: "p1.jpg")   // modified: other content under the same name
        try scratch.remove("p2.jpg")               // removed
        try scratch.add(photo: 8, as: "new/p8.png") // new (JPEG bytes under .png: format is by content)
        let second = try catalog.preprocess()
        #expect((second.totalImages, second.newImages, second.modifiedImages, second.removedImages, second.unchangedImages) == (5, 2, 1, 1, 3))
        let store = catalog.store
        #expect(Set(store.ids) == ["p0", "p1", "p3", "shoes/red, sale", "new/p8"])
        let photo7 = try embedder.embed(imageBytes: try Fixtures.bytes(ofPhoto: 7))
        let p1 = try #require(store.ids.firstIndex(of: "p1"))
        #expect(Fixtures.cosine(store.vector(at: p1), photo7) > 0.9999)

        // A fresh catalog object reads the same index back.
        let reopened = try scratch.open().store
        #expect(reopened.ids == store.ids)
        for row in 0..<store.count { #expect(reopened.vector(at: row) == store.vector(at: row)) }
    }

    @Test("a touched but identical file is re-hashed, not re-embedded; force_full re-embeds all")
    func touchAndForce() throws {
        let scratch = try Fixtures.Scratch("touch")
        defer { scratch.cleanUp() }
        for index in 0..<3 { try scratch.add(photo: index, as: "p\(index).jpg") }
        let catalog = try scratch.open()
        _ = try catalog.preprocess()
        try scratch.add(photo: 1, as: "p1.jpg")  // same bytes, new inode and mtime
        let touched = try catalog.preprocess()
        #expect((touched.newImages, touched.unchangedImages) == (0, 3))
        let reports = ProgressLog()
        let forced = try catalog.preprocess(forceFull: true, batchSize: 2) { reports.add($0) }
        #expect((forced.newImages, forced.modifiedImages, forced.unchangedImages) == (3, 0, 0))
        #expect(reports.all.map(\.total).allSatisfy { $0 == 3 })
        #expect(reports.all.map(\.done).sorted().last == 3)
        #expect(reports.all.count == 2)  // one report per batch of 2
    }

    @Test("a renamed file keeps its vector without a forward pass, under its new id")
    func rename() throws {
        let scratch = try Fixtures.Scratch("rename")
        defer { scratch.cleanUp() }
        try scratch.add(photo: 0, as: "a.jpg")
        let catalog = try scratch.open()
        _ = try catalog.preprocess()
        let before = catalog.store.vector(at: 0)
        try FileManager.default.moveItem(at: scratch.images.appendingPathComponent("a.jpg"),
                                         to: scratch.images.appendingPathComponent("b.jpg"))
        let summary = try catalog.preprocess()
        #expect((summary.newImages, summary.removedImages) == (1, 1))
        #expect(catalog.store.ids == ["b"])
        #expect(catalog.store.vector(at: 0) == before)
    }

    @Test("a corrupt image among good ones is recorded, counted and not retried until it changes")
    func corruptImage() throws {
        let scratch = try Fixtures.Scratch("corrupt")
        defer { scratch.cleanUp() }
        for index in 0..<3 { try scratch.add(photo: index, as: "p\(index).jpg") }
        var truncated = try Fixtures.bytes(ofPhoto: 5)
        truncated.removeLast(truncated.count / 2)
        try scratch.write(Array(truncated.prefix(40)), as: "broken.jpg")
        try scratch.write(Array("not an image".utf8), as: "text.png")
        let catalog = try scratch.open()
        let first = try catalog.preprocess()
        #expect((first.totalImages, first.newImages, first.failedImages) == (5, 3, 2))
        #expect(catalog.store.count == 3)
        let tracking = try String(contentsOfFile: scratch.paths.processedFile, encoding: .utf8)
        #expect(tracking.contains("\"status\": \"failed\""))

        let again = try catalog.preprocess()
        #expect((again.newImages, again.failedImages, again.unchangedImages) == (0, 2, 3))
        #expect(catalog.status().failedImages == 2)

        try scratch.add(photo: 5, as: "broken.jpg")  // fixed
        let fixed = try catalog.preprocess()
        #expect((fixed.newImages, fixed.failedImages) == (1, 1))
        #expect(catalog.store.ids.contains("broken"))
    }

    @Test("an empty folder gives an empty index; a missing folder is an error")
    func emptyAndMissing() throws {
        let scratch = try Fixtures.Scratch("empty")
        defer { scratch.cleanUp() }
        let catalog = try scratch.open()
        let summary = try catalog.preprocess()
        #expect((summary.totalImages, summary.newImages) == (0, 0))
        #expect(catalog.store.count == 0)
        #expect(FileManager.default.fileExists(atPath: scratch.paths.featuresFile))
        #expect(try scratch.open().store.count == 0)
        try FileManager.default.removeItem(at: scratch.images)
        #expect(throws: CatalogError.imagesFolderMissing(scratch.paths.imagesDirectory)) { try catalog.preprocess() }
        #expect(throws: CatalogError.invalidBatchSize(0)) { try catalog.preprocess(batchSize: 0) }
        #expect(throws: CatalogError.invalidBatchSize(129)) { try catalog.preprocess(batchSize: 129) }
    }

    @Test("status counts pending, removed and failed files without hashing")
    func status() throws {
        let scratch = try Fixtures.Scratch("status")
        defer { scratch.cleanUp() }
        for index in 0..<3 { try scratch.add(photo: index, as: "p\(index).jpg") }
        let catalog = try scratch.open()
        var status = catalog.status()
        #expect((status.totalImages, status.processedImages, status.pendingImages) == (3, 0, 3))
        #expect(!status.featureFileExists && status.lastUpdate == nil && !status.isRunning)
        _ = try catalog.preprocess()
        try scratch.add(photo: 3, as: "p3.jpg")
        try scratch.remove("p0.jpg")
        try scratch.write([0xFF, 0xD8, 0xFF], as: "bad.jpg")
        status = catalog.status()
        #expect((status.totalImages, status.processedImages, status.pendingImages, status.removedImages) == (4, 3, 2, 1))
        #expect(status.featureFileExists && status.metadataFileExists && status.lastUpdate != nil)
        _ = try catalog.preprocess()
        status = catalog.status()
        #expect((status.pendingImages, status.removedImages, status.failedImages, status.processedImages) == (0, 0, 1, 3))
    }

    @Test("the CSV lists every product with proper quoting")
    func fieldsCSV() throws {
        let scratch = try Fixtures.Scratch("csv")
        defer { scratch.cleanUp() }
        try scratch.add(photo: 0, as: "plain.jpg")
        try scratch.add(photo: 1, as: "with, comma \"quoted\".jpg")
        try scratch.add(photo: 2, as: "ünïcode/名前.jpg")
        _ = try scratch.open().preprocess()
        let rows = parseCSV(try String(contentsOfFile: scratch.paths.fieldsFile, encoding: .utf8))
        #expect(rows.first == ["id", "filename", "path", "md5", "size", "width", "height", "modified", "indexed_at"])
        let byID = Dictionary(uniqueKeysWithValues: rows.dropFirst().map { ($0[0], $0) })
        #expect(Set(byID.keys) == ["plain", "with, comma \"quoted\"", "ünïcode/名前"])
        let quoted = try #require(byID["with, comma \"quoted\""])
        #expect(quoted[1] == "with, comma \"quoted\".jpg")
        #expect(quoted[3] == MD5.hex(of: try Fixtures.bytes(ofPhoto: 1)))
        #expect(Int(quoted[4]) == (try Fixtures.bytes(ofPhoto: 1)).count)
        #expect(Int(quoted[5])! > 0 && Int(quoted[6])! > 0)
    }

    @Test("fingerprints survive reopening (names with quotes and unicode): a file with the same size, mtime and inode is not read again")
    func stampCacheRoundTrip() throws {
        let scratch = try Fixtures.Scratch("stamps")
        defer { scratch.cleanUp() }
        let names = ["with, comma \"quoted\" \\ back.jpg", "ünïcode/名前 😀.jpg"]
        for (index, name) in names.enumerated() { try scratch.add(photo: index, as: name) }
        _ = try scratch.open().preprocess()
        // Rewrite one file in place with other bytes of the same length, then restore its mtime.
        let path = scratch.images.appendingPathComponent(names[1]).path
        var info = stat()
        stat(path, &info)
        var bytes = try Fixtures.bytes(ofPhoto: 1)
        bytes[bytes.count / 2] ^= 0xFF
        let fd = open(path, O_WRONLY)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        var times = [info.st_atim, info.st_mtim]
        utimensat(AT_FDCWD, path, &times, 0)

        let reopened = try scratch.open()
        #expect(reopened.status().pendingImages == 0)
        let trusted = try reopened.preprocess()
        #expect((trusted.newImages, trusted.unchangedImages) == (0, 2))
        let forced = try reopened.preprocess(forceFull: true)
        #expect((forced.newImages, forced.modifiedImages) == (2, 1))
    }
}

/// The stat of a file, for "was it rewritten" checks.
func fileStamp(_ path: String) throws -> FileStamp {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
    return FileStamp(size: (attributes[.size] as? NSNumber)?.int64Value ?? -1,
                     modifiedNanoseconds: Int64(modified * 1e9),
                     inode: (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0)
}

/// A small RFC 4180 reader for checking the CSV.
func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = [], row: [String] = [], field = ""
    var inQuotes = false
    var scalars = Array(text.unicodeScalars)[...]
    while let scalar = scalars.popFirst() {
        if inQuotes {
            if scalar == "\"" {
                if scalars.first == "\"" { field.unicodeScalars.append("\""); scalars.removeFirst() } else { inQuotes = false }
            } else { field.unicodeScalars.append(scalar) }
        } else if scalar == "\"" { inQuotes = true }
        else if scalar == "," { row.append(field); field = "" }
        else if scalar == "\r" { continue }
        else if scalar == "\n" { row.append(field); rows.append(row); row = []; field = "" }
        else { field.unicodeScalars.append(scalar) }
    }
    if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
    return rows
}

/// Progress reports collected from the workers.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [IndexProgress] = []
    func add(_ report: IndexProgress) { lock.lock(); reports.append(report); lock.unlock() }
    var all: [IndexProgress] { lock.lock(); defer { lock.unlock() }; return reports }
}
