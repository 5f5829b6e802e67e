import Foundation
import Testing
import Imaging
import TestSupport

/// Bad, hostile and oversized inputs become a clear `ImageError`: never a crash, a hang or a huge allocation.
@Suite struct InputHygieneTests {
    static let jpeg = JPEGEncoder.encode(rgbPixels(width: 64, height: 64) { x, y in [UInt8(x * 4), UInt8(y * 4), 99] }, width: 64, height: 64)
    static let png = rgbPNG(rgbPixels(width: 64, height: 64) { x, y in [UInt8(x * 4), UInt8(y * 4), 99] }, width: 64, height: 64)

    func expectCorrupt(_ bytes: [UInt8], _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: ImageError.self, comment, sourceLocation: sourceLocation) { try decode(bytes) }
        guard case .corrupt = error else {
            Issue.record("expected .corrupt, got \(String(describing: error))", sourceLocation: sourceLocation)
            return
        }
    }

    @Test("zero bytes are .empty")
    func empty() throws {
        #expect(throws: ImageError.empty) { try decode([]) }
        #expect(throws: ImageError.empty) { try prepare([]) }
    }

    @Test("random bytes are rejected; behind a JPEG or PNG signature they are .corrupt")
    func randomBytes() throws {
        var random = SplitMix64(state: 42)
        for _ in 0..<300 {
            let bytes = (0..<Int.random(in: 1...4096, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(throws: ImageError.self) { try decode(bytes) }
            expectCorrupt([0xFF, 0xD8, 0xFF] + bytes)
            expectCorrupt(Array(Self.png[0..<8]) + bytes)
        }
        #expect(throws: ImageError.unsupportedFormat(detected: "unknown")) { try decode([0x00, 0x01, 0x02]) }
    }

    @Test("other image formats are named in the error")
    func otherFormats() throws {
        #expect(throws: ImageError.unsupportedFormat(detected: "gif")) { try decode(Array("GIF89a\u{1}\u{0}\u{1}\u{0}".utf8)) }
        #expect(throws: ImageError.unsupportedFormat(detected: "webp")) { try decode(Array("RIFF\u{10}\u{0}\u{0}\u{0}WEBPVP8 ".utf8)) }
        #expect(throws: ImageError.unsupportedFormat(detected: "heic")) { try decode([0, 0, 0, 24] + Array("ftypheic".utf8)) }
        #expect(ImageError.unsupportedFormat(detected: "gif").description.contains("GIF"))
    }

    @Test("a truncated JPEG is .corrupt wherever it is cut")
    func truncatedJPEG() throws {
        #expect(throws: Never.self) { try decode(Self.jpeg) }
        for fraction in [0.02, 0.1, 0.3, 0.5, 0.8, 0.95] {
            expectCorrupt(Array(Self.jpeg.prefix(Int(Double(Self.jpeg.count) * fraction))), "cut at \(fraction)")
        }
        expectCorrupt(Array(Self.jpeg.dropLast(2)), "end-of-image marker missing")
    }

    @Test("a truncated PNG is .corrupt wherever it is cut")
    func truncatedPNG() throws {
        #expect(throws: Never.self) { try decode(Self.png) }
        let idat = try #require(PNGEncoder.offset(ofChunk: "IDAT", in: Self.png))
        for cut in [10, 20, idat + 4, idat + 20, (idat + Self.png.count) / 2, Self.png.count - 20] {
            expectCorrupt(Array(Self.png.prefix(cut)), "cut at \(cut) of \(Self.png.count)")
        }
    }

    @Test("a PNG with a bad CRC is .corrupt")
    func badCRC() throws {
        for chunk in ["IHDR", "IDAT"] {
            var png = Self.png
            let at = try #require(PNGEncoder.offset(ofChunk: chunk, in: png))
            let length = png[at..<at + 4].reduce(0) { $0 << 8 | Int($1) }
            png[at + 8 + length] ^= 0x5A  // first byte of the chunk's CRC
            expectCorrupt(png, "bad \(chunk) CRC")
        }
    }

    @Test("a JPEG header claiming 20000x20000 is rejected from the header alone")
    func hugeJPEG() throws {
        var jpeg = Self.jpeg
        let sof = try #require(JPEGEncoder.offset(ofMarker: 0xC0, in: jpeg))
        jpeg.replaceSubrange(sof + 5..<sof + 9, with: [0x4E, 0x20, 0x4E, 0x20])  // height, width = 20000
        // The entropy data is for 64x64: decoding would fail as corrupt, so tooLarge proves the header check came first.
        #expect(throws: ImageError.tooLarge(width: 20000, height: 20000, limit: 50_000_000)) { try decode(jpeg) }
        #expect(throws: ImageError.tooLarge(width: 20000, height: 20000, limit: 50_000_000)) { try prepare(jpeg) }
    }

    @Test("a PNG header claiming 20000x20000 is rejected from the header alone")
    func hugePNG() throws {
        var png = Self.png
        let ihdr = try #require(PNGEncoder.offset(ofChunk: "IHDR", in: png))
        png.replaceSubrange(ihdr + 8..<ihdr + 16, with: [0, 0, 0x4E, 0x20, 0, 0, 0x4E, 0x20])
        let crc = PNGEncoder.crc32(png[ihdr + 4..<ihdr + 8 + 13])
        png.replaceSubrange(ihdr + 21..<ihdr + 25, with: (0..<4).map { UInt8(truncatingIfNeeded: crc >> (24 - 8 * $0)) })
        #expect(throws: ImageError.tooLarge(width: 20000, height: 20000, limit: 50_000_000)) { try decode(png) }
    }

    @Test("limits are configurable: pixels and encoded bytes")
    func limits() throws {
        for bytes in [Self.jpeg, Self.png] {
            #expect(throws: ImageError.tooLarge(width: 64, height: 64, limit: 4095)) {
                try decode(bytes, limits: ImageLimits(maxPixels: 4095))
            }
            #expect(throws: Never.self) { try decode(bytes, limits: ImageLimits(maxEncodedBytes: bytes.count, maxPixels: 4096)) }
            #expect(throws: ImageError.fileTooLarge(bytes: bytes.count, limit: bytes.count - 1)) {
                try prepare(bytes, limits: ImageLimits(maxEncodedBytes: bytes.count - 1))
            }
        }
    }

    @Test("files: size checked before reading, missing files throw an I/O error")
    func files() throws {
        let folder = try TestPaths.makeTemporaryDirectory("imaging")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("photo.bin").path
        try Data(Self.jpeg).write(to: URL(fileURLWithPath: path))
        var input = [Float](repeating: 0, count: 224 * 224 * 3)
        try input.withUnsafeMutableBufferPointer { buffer in
            let info = try ModelInput.prepare(fileAt: path, into: buffer.baseAddress!)
            #expect(info == ImageInfo(format: .jpeg, width: 64, height: 64))
            #expect(throws: ImageError.fileTooLarge(bytes: Self.jpeg.count, limit: 100)) {
                try ModelInput.prepare(fileAt: path, into: buffer.baseAddress!, limits: ImageLimits(maxEncodedBytes: 100))
            }
            #expect(throws: POSIXError.self) { try ModelInput.prepare(fileAt: path + ".missing", into: buffer.baseAddress!) }
        }
    }

    @Test("concurrent decoding gives the same results as serial decoding")
    func concurrent() async throws {
        let inputs = [Self.jpeg, Self.png, JPEGEncoder.withOrientation(Self.jpeg, 6, bigEndian: true)]
        let serial = try inputs.map { try prepare($0).input }
        try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for round in 0..<24 {
                group.addTask { (round % inputs.count, try prepare(inputs[round % inputs.count]).input) }
            }
            for try await (index, input) in group { #expect(input == serial[index]) }
        }
    }
}
