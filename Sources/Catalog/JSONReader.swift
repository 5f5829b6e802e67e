/// A small pull reader over JSON bytes, for reading `processed_images.json` quickly (a generic
/// decoder spends seconds on 100,000 records). It reads standard JSON: any whitespace and key order,
/// string escapes including `\u` surrogate pairs; values it is not asked for are skipped.
struct JSONReader {
    enum Failure: Error { case malformed(at: Int) }

    private let bytes: UnsafeBufferPointer<UInt8>
    private(set) var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private func fail() -> Failure { .malformed(at: position) }

    mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    mutating func expect(_ character: Character) throws {
        skipWhitespace()
        guard current == character.asciiValue else { throw fail() }
        position += 1
    }

    /// Reads `null` if it comes next.
    mutating func readNull() -> Bool {
        skipWhitespace()
        guard position + 4 <= bytes.count, bytes[position] == UInt8(ascii: "n"), bytes[position + 1] == UInt8(ascii: "u"),
              bytes[position + 2] == UInt8(ascii: "l"), bytes[position + 3] == UInt8(ascii: "l") else { return false }
        position += 4
        return true
    }

    /// Calls `body` with each key of an object, positioned at its value; `body` must read or skip it.
    mutating func readObject(_ body: (inout JSONReader, String) throws -> Void) throws {
        try expect("{")
        skipWhitespace()
        if current == UInt8(ascii: "}") { position += 1; return }
        while true {
            let key = try readString()
            try expect(":")
            try body(&self, key)
            skipWhitespace()
            guard let byte = current else { throw fail() }
            position += 1
            if byte == UInt8(ascii: "}") { return }
            guard byte == UInt8(ascii: ",") else { throw fail() }
        }
    }

    mutating func readString() throws -> String {
        try expect("\"")
        let start = position
        // Fast path: no escapes.
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") { position += 1 }
        guard let stop = current else { throw fail() }
        if stop == UInt8(ascii: "\"") {
            position += 1
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position - 1]), as: UTF8.self)
        }
        var utf8 = Array(bytes[start..<position])
        while let byte = current {
            position += 1
            if byte == UInt8(ascii: "\"") { return String(decoding: utf8, as: UTF8.self) }
            if byte != UInt8(ascii: "\\") { utf8.append(byte); continue }
            guard let escaped = current else { throw fail() }
            position += 1
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escaped)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"): utf8.append(contentsOf: try readUnicodeEscape())
            default: throw fail()
            }
        }
        throw fail()
    }

    /// After `\u`: four hex digits, and a second `\uXXXX` when the first is a high surrogate.
    private mutating func readUnicodeEscape() throws -> [UInt8] {
        var value = try readHex4()
        if (0xD800..<0xDC00).contains(value) {
            guard current == UInt8(ascii: "\\") else { throw fail() }
            position += 1
            guard current == UInt8(ascii: "u") else { throw fail() }
            position += 1
            let low = try readHex4()
            guard (0xDC00..<0xE000).contains(low) else { throw fail() }
            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(value) else { throw fail() }
        return Array(String(Character(scalar)).utf8)
    }

    private mutating func readHex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = Character(UnicodeScalar(bytes[position])).hexDigitValue else { throw fail() }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    /// The text of a number (validated by the conversions of the callers).
    private mutating func numberText() throws -> Substring {
        skipWhitespace()
        let start = position
        while let byte = current, (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { position += 1 }
        guard position > start else { throw fail() }
        return Substring(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self))
    }

    mutating func readInt64() throws -> Int64 {
        skipWhitespace()
        let negative = current == UInt8(ascii: "-")
        if negative { position += 1 }
        let magnitude = try readDigits()
        guard magnitude <= UInt64(Int64.max) else { throw fail() }
        return negative ? -Int64(magnitude) : Int64(magnitude)
    }

    mutating func readUInt64() throws -> UInt64 {
        skipWhitespace()
        return try readDigits()
    }

    /// Decimal digits of an integer, with overflow checks; a fraction or exponent is an error.
    private mutating func readDigits() throws -> UInt64 {
        let start = position
        var value: UInt64 = 0
        while let byte = current, byte >= 0x30, byte <= 0x39 {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - 0x30))
            guard !overflow1, !overflow2 else { throw fail() }
            value = sum
            position += 1
        }
        guard position > start, current != UInt8(ascii: "."), current != UInt8(ascii: "e"), current != UInt8(ascii: "E") else {
            throw fail()
        }
        return value
    }

    /// Skips any value.
    mutating func skipValue() throws {
        skipWhitespace()
        guard let byte = current else { throw fail() }
        switch byte {
        case UInt8(ascii: "{"): try readObject { reader, _ in try reader.skipValue() }
        case UInt8(ascii: "["):
            position += 1
            skipWhitespace()
            if current == UInt8(ascii: "]") { position += 1; return }
            while true {
                try skipValue()
                skipWhitespace()
                guard let next = current else { throw fail() }
                position += 1
                if next == UInt8(ascii: "]") { return }
                guard next == UInt8(ascii: ",") else { throw fail() }
            }
        case UInt8(ascii: "\""): _ = try readString()
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            while let letter = current, letter >= UInt8(ascii: "a"), letter <= UInt8(ascii: "z") { position += 1 }
        default: _ = try numberText()
        }
    }
}
