import CCrypto
import FoundationEssentials
import Glibc

/// MD5 digests with OpenSSL's EVP interface, as lowercase hex (the form Python's `hashlib` prints).
public enum MD5 {
    /// The digest of a file's bytes, read in 1 MiB chunks.
    public static func hex(ofFile path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CatalogError.io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let digest = Digest()
        let chunkSize = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer, chunkSize)
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw CatalogError.io(path: path, reason: String(cString: strerror(errno)))
            }
            digest.update(UnsafeRawBufferPointer(start: buffer, count: count))
        }
        return digest.finish()
    }

    /// The digest of bytes in memory.
    public static func hex(of bytes: UnsafeRawBufferPointer) -> String {
        let digest = Digest()
        digest.update(bytes)
        return digest.finish()
    }

    /// The digest of a byte array.
    public static func hex(of bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { hex(of: $0) }
    }

    /// One running digest; not shared between threads.
    private final class Digest {
        private let context: OpaquePointer?

        init() {
            context = EVP_MD_CTX_new()
            EVP_DigestInit_ex(context, EVP_md5(), nil)
        }

        deinit { EVP_MD_CTX_free(context) }

        func update(_ bytes: UnsafeRawBufferPointer) {
            guard let base = bytes.baseAddress, bytes.count > 0 else { return }
            EVP_DigestUpdate(context, base, bytes.count)
        }

        func finish() -> String {
            var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
            var length: UInt32 = 0
            EVP_DigestFinal_ex(context, &output, &length)
            return output.prefix(Int(length)).map { hexByte($0) }.joined()
        }

        private func hexByte(_ byte: UInt8) -> String {
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
        }
    }
}
