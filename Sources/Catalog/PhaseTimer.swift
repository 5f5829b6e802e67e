import Foundation
/// Temporary phase timing (SIMILARITY_DEBUG_TIMING=1).
enum PhaseTimer {
    static let enabled = getenv("SIMILARITY_DEBUG_TIMING") != nil
    nonisolated(unsafe) static var last = Date()
    static func mark(_ label: String) {
        guard enabled else { return }
        let now = Date()
        FileHandle.standardError.write(Data("TIMING \(label) \(String(format: "%.1f", now.timeIntervalSince(last) * 1000)) ms\n".utf8))
        last = now
    }
}
