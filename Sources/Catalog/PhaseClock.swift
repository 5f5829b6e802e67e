import Dispatch
import Foundation

/// Temporary: per-phase timings of a search, printed to stderr when SEARCH_TRACE is set.
final class PhaseClock {
    private var last = DispatchTime.now().uptimeNanoseconds
    private var phases: [(String, Double)] = []

    func mark(_ name: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        phases.append((name, Double(now - last) / 1e6))
        last = now
    }

    func report(_ extra: String) {
        let text = phases.map { String(format: "%@ %.2f", $0.0, $0.1) }.joined(separator: " ")
        FileHandle.standardError.write(Data("trace \(text) ms; \(extra)\n".utf8))
    }
}
