/// Finds the orientation tag in a JPEG's EXIF block (APP1 "Exif\0\0" holding a TIFF structure).
///
/// Only the markers before the first scan are walked, every offset is bounds-checked, and anything
/// unexpected yields `.upright`: a damaged EXIF block never makes a decodable photo fail.
enum EXIFReader {
    static func orientation(inJPEG bytes: UnsafeRawBufferPointer) -> Orientation {
        var i = 2  // after SOI
        while i + 4 <= bytes.count {
            guard bytes[i] == 0xFF else { return .upright }
            let marker = bytes[i + 1]
            if marker == 0xFF { i += 1; continue }            // fill byte
            if marker == 0xDA || marker == 0xD9 { return .upright }  // start of scan / end of image
            if marker == 0x01 || (0xD0...0xD8).contains(marker) { i += 2; continue }  // no length
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            let start = i + 4, end = i + 2 + length
            guard length >= 2, end <= bytes.count else { return .upright }
            if marker == 0xE1, end - start >= 6,
               bytes[start..<start + 6].elementsEqual([0x45, 0x78, 0x69, 0x66, 0, 0]) {  // "Exif\0\0"
                return orientation(inTIFF: UnsafeRawBufferPointer(rebasing: bytes[start + 6..<end]))
            }
            i = end
        }
        return .upright
    }

    /// Reads tag 0x0112 from IFD0 of a TIFF structure.
    static func orientation(inTIFF tiff: UnsafeRawBufferPointer) -> Orientation {
        guard tiff.count >= 8 else { return .upright }
        let bigEndian: Bool
        switch (tiff[0], tiff[1]) {
        case (0x4D, 0x4D): bigEndian = true
        case (0x49, 0x49): bigEndian = false
        default: return .upright
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= tiff.count else { return nil }
            let a = Int(tiff[at]), b = Int(tiff[at + 1])
            return bigEndian ? a << 8 | b : b << 8 | a
        }
        func u32(_ at: Int) -> Int? {
            guard let high = u16(bigEndian ? at : at + 2), let low = u16(bigEndian ? at + 2 : at) else { return nil }
            return high << 16 | low
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return .upright }
        for entry in 0..<count {
            let at = ifd + 2 + entry * 12
            guard let tag = u16(at) else { return .upright }
            // Type 3 is SHORT; its single value sits in the first two bytes of the value field.
            if tag == 0x0112, u16(at + 2) == 3, let value = u16(at + 8) { return Orientation(rawValue: value) }
        }
        return .upright
    }
}
