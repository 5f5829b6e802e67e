import HTTP
import Testing

@Suite struct MultipartTests {
    static let contentType = "multipart/form-data; boundary=XyZ"

    static func body(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func fileAndTextParts() throws {
        let body = Self.body("preamble\r\n--XyZ\r\n"
            + "Content-Disposition: form-data; name=\"threshold\"\r\n\r\n0.85\r\n"
            + "--XyZ\r\n"
            + "Content-Disposition: form-data; name=\"file\"; filename=\"cat.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
            + "\u{1}\u{2}\r\n--XY not the boundary\r\n--XyZz neither\r\n"
            + "--XyZ--\r\nepilogue")
        let form = try MultipartFormData(body: body, contentType: Self.contentType)
        #expect(form.parts.count == 2)
        #expect(form.part(named: "threshold")?.text == "0.85")
        #expect(form.part(named: "threshold")?.filename == nil)
        let file = try #require(form.part(named: "file"))
        #expect(file.filename == "cat.jpg")
        #expect(file.contentType == "image/jpeg")
        #expect(file.text == "\u{1}\u{2}\r\n--XY not the boundary\r\n--XyZz neither")
    }

    @Test func filePartWithoutContentTypeAndQuotedBoundary() throws {
        // The shape Python's requests sends: no part Content-Type, boundary quoted here on purpose.
        let body = Self.body("--a b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.png\"\r\n\r\nPNG\r\n--a b--\r\n")
        let form = try MultipartFormData(body: body, contentType: "Multipart/Form-Data; charset=utf-8; boundary=\"a b\"")
        #expect(form.parts.count == 1)
        #expect(form.parts[0].contentType == nil)
        #expect(form.parts[0].filename == "x.png")
        #expect(form.parts[0].text == "PNG")
    }

    @Test func extendedAndEscapedFilenames() throws {
        let body = Self.body("--XyZ\r\nContent-Disposition: form-data; name=\"a\"; filename=\"fallback.jpg\"; filename*=UTF-8''%E2%82%AC.jpg\r\n\r\n1\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"b\"; filename=\"say \\\"hi\\\"; ok.png\"\r\n\r\n2\r\n--XyZ--")
        let form = try MultipartFormData(body: body, contentType: Self.contentType)
        #expect(form.part(named: "a")?.filename == "€.jpg")
        #expect(form.part(named: "b")?.filename == "say \"hi\"; ok.png")
    }

    @Test func emptyFormAndEmptyPart() throws {
        #expect(try MultipartFormData(body: Self.body("--XyZ--\r\n"), contentType: Self.contentType).parts.isEmpty)
        let form = try MultipartFormData(body: Self.body("--XyZ\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n\r\n--XyZ--"),
                                         contentType: Self.contentType)
        #expect(form.part(named: "e")?.body == [])
    }

    @Test(arguments: [
        ("no boundary at all", 400),
        ("--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nunterminated", 400),
        ("--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--", 400),          // no name
        ("--XyZ\r\nContent-Disposition: attachment; name=\"f\"\r\n\r\nx\r\n--XyZ--", 400),
        ("--XyZ\r\n\r\nx\r\n--XyZ--", 400),                                               // no headers
        ("--XyZ garbage\r\n", 400),
    ])
    func malformedBodies(text: String, status: Int) {
        #expect(throws: HTTPError(status: status, message: "")) {
            do {
                _ = try MultipartFormData(body: Self.body(text), contentType: Self.contentType)
            } catch let error as HTTPError {
                throw HTTPError(status: error.status, message: "")
            }
        }
    }

    @Test func wrongContentTypes() {
        #expect(throws: HTTPError.self) { try MultipartFormData(body: [], contentType: "application/json") }
        #expect(throws: HTTPError.self) { try MultipartFormData(body: [], contentType: "multipart/form-data") }
        do {
            _ = try MultipartFormData(body: [], contentType: "text/plain")
        } catch let error as HTTPError {
            #expect(error.status == 415)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func limits() {
        func status(_ text: String, _ limits: MultipartLimits) -> Int? {
            do {
                _ = try MultipartFormData(body: Self.body(text), contentType: Self.contentType, limits: limits)
                return nil
            } catch let error as HTTPError {
                return error.status
            } catch {
                return -1
            }
        }
        let field = "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n0123456789\r\n"
        let file = "--XyZ\r\nContent-Disposition: form-data; name=\"g\"; filename=\"g.bin\"\r\n\r\n0123456789\r\n"
        #expect(status(field + "--XyZ--", MultipartLimits(maxFieldBytes: 10)) == nil)
        #expect(status(field + "--XyZ--", MultipartLimits(maxFieldBytes: 9)) == 413)
        #expect(status(file + "--XyZ--", MultipartLimits(maxFieldBytes: 1, maxFileBytes: 10)) == nil)
        #expect(status(file + "--XyZ--", MultipartLimits(maxFileBytes: 9)) == 413)
        #expect(status(field + field + "--XyZ--", MultipartLimits(maxParts: 1)) == 413)
        #expect(status(field + "--XyZ--", MultipartLimits(maxPartHeaderBytes: 20)) == 431)
    }

    @Test func largeBinaryFileSurvivesIntact() throws {
        // Pseudo-random bytes that include CR, LF and '-' often enough to stress the boundary search.
        var state: UInt32 = 12345
        let payload: [UInt8] = (0..<300_000).map { _ in
            state = state &* 1_103_515_245 &+ 12345
            let r = UInt8(truncatingIfNeeded: state >> 16)
            return r % 7 == 0 ? [13, 10, 45][Int(r) % 3] : r
        }
        let head = Array("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.bin\"\r\n\r\n".utf8)
        let tail = Array("\r\n--XyZ--\r\n".utf8)
        let form = try MultipartFormData(body: head + payload + tail, contentType: Self.contentType)
        #expect(form.part(named: "file")?.body == payload)
    }
}
