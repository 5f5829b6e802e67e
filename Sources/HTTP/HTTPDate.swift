#if canImport(Glibc)
import Glibc
#endif
import Threads

/// The `Date` header value (IMF-fixdate), formatted once per second.
enum HTTPDate {
    private static let cache = DateCache()

    static func now() -> String { cache.current() }

    static func format(_ seconds: time_t) -> String {
        var time = seconds
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }

    private final class DateCache: @unchecked Sendable {
        private let lock = ConditionLock()
        private var second: time_t = 0
        private var text = ""

        func current() -> String {
            let now = time(nil)
            lock.lock()
            defer { lock.unlock() }
            if now != second {
                second = now
                text = HTTPDate.format(now)
            }
            return text
        }
    }
}
