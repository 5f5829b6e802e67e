/// The parameters of a query string (`a=1&b=x+y&a=2`), percent-decoded with `+` read as a space.
/// Keys may repeat; order is kept.
public struct QueryParameters: Sendable, Sequence {
    public typealias Element = (name: String, value: String)

    public private(set) var items: [Element]

    public init(_ items: [(String, String)] = []) {
        self.items = items.map { (name: $0.0, value: $0.1) }
    }

    /// Parses a raw query string (the part after `?`). Malformed escapes are kept literally.
    public init(query: some StringProtocol) {
        items = query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).map { pair in
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let rawName = pair[..<(equals ?? pair.endIndex)]
            let rawValue = equals.map { pair[pair.index(after: $0)...] } ?? pair[pair.endIndex...]
            return (name: PercentDecoding.decode(rawName, plusAsSpace: true),
                    value: PercentDecoding.decode(rawValue, plusAsSpace: true))
        }
    }

    /// The first value of `name`, or nil.
    public subscript(name: String) -> String? {
        items.first { $0.name == name }?.value
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        items.filter { $0.name == name }.map(\.value)
    }

    public var isEmpty: Bool { items.isEmpty }

    public func makeIterator() -> IndexingIterator<[Element]> { items.makeIterator() }
}

/// Percent-decoding (RFC 3986) of URL components.
enum PercentDecoding {
    /// Decodes `%XX` escapes; malformed escapes stay as they are and invalid UTF-8 is repaired.
    static func decode(_ bytes: some Collection<UInt8>, plusAsSpace: Bool) -> String {
        if !bytes.contains(where: { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        return String(decoding: decodedBytes(bytes, plusAsSpace: plusAsSpace, strict: false) ?? [], as: UTF8.self)
    }

    /// Decodes strictly: nil when an escape is malformed or the result is not valid UTF-8.
    static func decodeStrict(_ bytes: some Collection<UInt8>) -> String? {
        guard let decoded = decodedBytes(bytes, plusAsSpace: false, strict: true) else { return nil }
        return String(validating: decoded, as: UTF8.self)
    }

    private static func decodedBytes(_ bytes: some Collection<UInt8>, plusAsSpace: Bool, strict: Bool) -> [UInt8]? {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            let byte = input[i]
            if byte == UInt8(ascii: "%") {
                if i + 2 < input.count, let high = hexValue(input[i + 1]), let low = hexValue(input[i + 2]) {
                    output.append(high << 4 | low)
                    i += 3
                    continue
                }
                if strict { return nil }
                output.append(byte)
            } else if plusAsSpace && byte == UInt8(ascii: "+") {
                output.append(UInt8(ascii: " "))
            } else {
                output.append(byte)
            }
            i += 1
        }
        return output
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
