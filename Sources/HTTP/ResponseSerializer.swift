/// Turns a `Response` into the bytes sent on the wire, adding the headers the server owns.
struct ResponseSerializer: Sendable {
    let serverName: String

    /// - Parameters:
    ///   - omitBody: true for `HEAD` requests (Content-Length still tells the size of the body).
    ///   - keepAlive: whether the connection stays open; decides the `Connection` header.
    ///   - http10: the request was HTTP/1.0, where keep-alive must be announced.
    func serialize(_ response: Response, omitBody: Bool, keepAlive: Bool, http10: Bool) -> [UInt8] {
        let status = (100...999).contains(response.status) ? response.status : 500
        let bodyAllowed = !HTTPStatus.forbidsBody(status)
        var out: [UInt8] = []
        out.reserveCapacity(160 + response.headers.count * 40 + (omitBody ? 0 : response.body.count))
        out.append(contentsOf: "HTTP/1.1 \(status) \(HTTPStatus.reason(status))\r\n".utf8)
        for (name, value) in response.headers where !Self.isServerOwned(name) {
            guard Self.isSafe(name), Self.isSafe(value) else { continue }
            append(&out, name, value)
        }
        if bodyAllowed { append(&out, "Content-Length", String(response.body.count)) }
        append(&out, "Date", HTTPDate.now())
        if !serverName.isEmpty && !response.headers.contains("Server") { append(&out, "Server", serverName) }
        if !keepAlive {
            append(&out, "Connection", "close")
        } else if http10 {
            append(&out, "Connection", "keep-alive")
        }
        out.append(13)
        out.append(10)
        if bodyAllowed && !omitBody { out.append(contentsOf: response.body) }
        return out
    }

    private func append(_ out: inout [UInt8], _ name: String, _ value: String) {
        out.append(contentsOf: name.utf8)
        out.append(UInt8(ascii: ":"))
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: value.utf8)
        out.append(13)
        out.append(10)
    }

    private static func isServerOwned(_ name: String) -> Bool {
        asciiCaseInsensitiveEqual(name, "Content-Length") || asciiCaseInsensitiveEqual(name, "Transfer-Encoding")
            || asciiCaseInsensitiveEqual(name, "Connection") || asciiCaseInsensitiveEqual(name, "Date")
    }

    /// No CR, LF or NUL: a handler cannot split the response.
    private static func isSafe(_ text: String) -> Bool {
        !text.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
    }
}
