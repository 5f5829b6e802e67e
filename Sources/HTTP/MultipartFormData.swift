#if canImport(Glibc)
import Glibc
#endif

/// Limits for `multipart/form-data` bodies; exceeding one is a 413 (431 for part headers).
public struct MultipartLimits: Sendable {
    public var maxParts: Int
    /// Header block of one part, in bytes.
    public var maxPartHeaderBytes: Int
    /// A text field (a part without a filename), in bytes.
    public var maxFieldBytes: Int
    /// A file part, in bytes.
    public var maxFileBytes: Int

    public init(maxParts: Int = 100, maxPartHeaderBytes: Int = 8 * 1024, maxFieldBytes: Int = 1024 * 1024,
                maxFileBytes: Int = 25 * 1024 * 1024) {
        self.maxParts = maxParts
        self.maxPartHeaderBytes = maxPartHeaderBytes
        self.maxFieldBytes = maxFieldBytes
        self.maxFileBytes = maxFileBytes
    }
}

/// A parsed `multipart/form-data` body (RFC 7578): file parts and text fields, in order.
/// Malformed bodies throw `HTTPError` 400, wrong media types 415, bodies over the limits 413.
public struct MultipartFormData: Sendable {
    public struct Part: Sendable {
        /// The form field name.
        public var name: String
        /// The file name the client sent, if this part is a file.
        public var filename: String?
        /// The part's own `Content-Type`; many clients send none.
        public var contentType: String?
        public var body: [UInt8]

        public init(name: String, filename: String? = nil, contentType: String? = nil, body: [UInt8]) {
            self.name = name
            self.filename = filename
            self.contentType = contentType
            self.body = body
        }

        /// The body as UTF-8 text (invalid sequences repaired).
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public var parts: [Part]

    /// Parses `body` whose request `Content-Type` is `contentType` (which carries the boundary).
    public init(body: [UInt8], contentType: String, limits: MultipartLimits = .init()) throws {
        let boundary = try Self.boundary(from: contentType)
        parts = try body.withUnsafeBufferPointer { bytes in
            try MultipartParser(bytes: bytes, boundary: Array(boundary.utf8), limits: limits).parse()
        }
    }

    /// The first part named `name`.
    public func part(named name: String) -> Part? {
        parts.first { $0.name == name }
    }

    /// The boundary parameter of a `multipart/form-data` content type.
    static func boundary(from contentType: String) throws(HTTPError) -> String {
        let (type, parameters) = HeaderParameters.parse(contentType)
        guard asciiCaseInsensitiveEqual(type, "multipart/form-data") else {
            throw HTTPError(status: 415, message: "Expected a multipart/form-data body, got '\(type)'.")
        }
        guard let boundary = parameters["boundary"], (1...70).contains(boundary.utf8.count) else {
            throw HTTPError(status: 400, message: "The multipart/form-data Content-Type has no valid boundary.")
        }
        return boundary
    }
}

/// Splits a whole multipart body at its boundaries.
private struct MultipartParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let delimiter: [UInt8]          // "--" + boundary
    let limits: MultipartLimits

    init(bytes: UnsafeBufferPointer<UInt8>, boundary: [UInt8], limits: MultipartLimits) {
        self.bytes = bytes
        delimiter = Array("--".utf8) + boundary
        self.limits = limits
    }

    func parse() throws(HTTPError) -> [MultipartFormData.Part] {
        // The first delimiter may open the body or follow a preamble line.
        var position: Int
        if startsWith(delimiter, at: 0) {
            position = delimiter.count
        } else if let found = find(Array("\r\n".utf8) + delimiter, from: 0) {
            position = found + 2 + delimiter.count
        } else {
            throw Self.malformed("no boundary found in the body")
        }
        var parts: [MultipartFormData.Part] = []
        let nextDelimiter = Array("\r\n".utf8) + delimiter
        while true {
            if startsWith(Array("--".utf8), at: position) { return parts }
            position = try endOfDelimiterLine(from: position)
            guard parts.count < limits.maxParts else {
                throw HTTPError(status: 413, message: "The form has more than \(limits.maxParts) parts.")
            }
            // An empty header block ends right away (and is then rejected for lacking a name).
            let emptyHeaders = startsWith(Array("\r\n".utf8), at: position)
            guard let headerEnd = emptyHeaders ? position - 2
                    : find(Array("\r\n\r\n".utf8), from: position, limit: limits.maxPartHeaderBytes + 4) else {
                if bytes.count - position > limits.maxPartHeaderBytes {
                    throw HTTPError(status: 431, message: "A form part's headers exceed \(limits.maxPartHeaderBytes) bytes.")
                }
                throw Self.malformed("a part's headers are not terminated")
            }
            var part = try Self.partHeaders(UnsafeBufferPointer(rebasing: bytes[position..<max(position, headerEnd)]))
            let bodyStart = headerEnd + 4
            guard let bodyEnd = findDelimiterLine(nextDelimiter, from: bodyStart) else {
                throw Self.malformed("the body ends before the closing boundary")
            }
            let size = bodyEnd - bodyStart
            let limit = part.filename == nil ? limits.maxFieldBytes : limits.maxFileBytes
            guard size <= limit else {
                let what = part.filename == nil ? "Form field '\(part.name)'" : "File '\(part.filename ?? "")'"
                throw HTTPError(status: 413, message: "\(what) is larger than \(limit) bytes.")
            }
            part.body = Array(bytes[bodyStart..<bodyEnd])
            parts.append(part)
            position = bodyEnd + nextDelimiter.count
        }
    }

    /// The next `CRLF--boundary` that really ends a part: followed by `--`, whitespace or CRLF, so that
    /// content which merely starts like the boundary stays content.
    private func findDelimiterLine(_ needle: [UInt8], from start: Int) -> Int? {
        var position = start
        while let found = find(needle, from: position) {
            let after = found + needle.count
            if after >= bytes.count || bytes[after] == UInt8(ascii: "-") || bytes[after] == 13
                || bytes[after] == 32 || bytes[after] == 9 {
                return found
            }
            position = found + 1
        }
        return nil
    }

    /// Skips optional whitespace and the CRLF after a delimiter.
    private func endOfDelimiterLine(from start: Int) throws(HTTPError) -> Int {
        var position = start
        while position < bytes.count && (bytes[position] == 32 || bytes[position] == 9) { position += 1 }
        guard startsWith(Array("\r\n".utf8), at: position) else { throw Self.malformed("a boundary line is not followed by CRLF") }
        return position + 2
    }

    private static func partHeaders(_ block: UnsafeBufferPointer<UInt8>) throws(HTTPError) -> MultipartFormData.Part {
        var name: String?
        var filename: String?
        var contentType: String?
        var lines = HeadParser.Lines(block)
        while let line = lines.next() {
            guard !line.isEmpty else { continue }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw malformed("a part header has no colon") }
            let field = String(decoding: line[..<colon], as: UTF8.self)
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingASCIIWhitespace()
            if asciiCaseInsensitiveEqual(field, "Content-Disposition") {
                let (disposition, parameters) = HeaderParameters.parse(String(value))
                guard asciiCaseInsensitiveEqual(disposition, "form-data") else {
                    throw malformed("a part's Content-Disposition is '\(disposition)', not form-data")
                }
                name = parameters["name"]
                filename = parameters["filename*"].flatMap(HeaderParameters.decodeExtendedValue) ?? parameters["filename"]
            } else if asciiCaseInsensitiveEqual(field, "Content-Type") {
                contentType = String(value)
            }
        }
        guard let name else { throw malformed("a part has no Content-Disposition name") }
        return MultipartFormData.Part(name: name, filename: filename, contentType: contentType, body: [])
    }

    private func startsWith(_ needle: [UInt8], at position: Int) -> Bool {
        guard position >= 0, position + needle.count <= bytes.count else { return false }
        return memcmp(bytes.baseAddress! + position, needle, needle.count) == 0
    }

    /// The offset of the first `needle` at or after `start` (within `limit` bytes if given).
    private func find(_ needle: [UInt8], from start: Int, limit: Int? = nil) -> Int? {
        guard let base = bytes.baseAddress, let first = needle.first else { return nil }
        let end = min(bytes.count, limit.map { start + $0 } ?? bytes.count)
        var position = start
        while position + needle.count <= end {
            guard let hit = memchr(base + position, Int32(first), end - position - needle.count + 1) else { return nil }
            let offset = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + offset, needle, needle.count) == 0 { return offset }
            position = offset + 1
        }
        return nil
    }

    private static func malformed(_ reason: String) -> HTTPError {
        HTTPError(status: 400, message: "Malformed multipart/form-data body: \(reason).")
    }
}

/// Header values with parameters: `type; name="value"; other=token`.
enum HeaderParameters {
    /// The main value and the parameters (names lowercased, quoted strings unescaped).
    static func parse(_ header: String) -> (String, [String: String]) {
        let scalars = Array(header.unicodeScalars)
        var index = 0
        func skipSpaces() { while index < scalars.count && (scalars[index] == " " || scalars[index] == "\t") { index += 1 } }
        func read(until stops: Set<Unicode.Scalar>) -> String {
            var text = String.UnicodeScalarView()
            while index < scalars.count && !stops.contains(scalars[index]) { text.append(scalars[index]); index += 1 }
            return String(text).trimmingASCIIWhitespace().description
        }
        let main = read(until: [";"])
        var parameters: [String: String] = [:]
        while index < scalars.count {
            index += 1 // ';'
            skipSpaces()
            let name = read(until: ["=", ";"]).lowercasedASCII()
            var value = ""
            if index < scalars.count && scalars[index] == "=" {
                index += 1
                skipSpaces()
                if index < scalars.count && scalars[index] == "\"" {
                    index += 1
                    var text = String.UnicodeScalarView()
                    while index < scalars.count && scalars[index] != "\"" {
                        if scalars[index] == "\\" && index + 1 < scalars.count { index += 1 }
                        text.append(scalars[index])
                        index += 1
                    }
                    index += 1 // closing quote
                    value = String(text)
                    _ = read(until: [";"])
                } else {
                    value = read(until: [";"])
                }
            }
            if !name.isEmpty && parameters[name] == nil { parameters[name] = value }
        }
        return (main, parameters)
    }

    /// RFC 8187 `UTF-8''percent-encoded` values (as in `filename*=`).
    static func decodeExtendedValue(_ value: String) -> String? {
        let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, asciiCaseInsensitiveEqual(String(pieces[0]), "UTF-8") else { return nil }
        return PercentDecoding.decodeStrict(pieces[2].utf8)
    }
}
