import ArgumentParser
import Catalog
import FoundationEssentials
import Glibc
import Logging
import MobileNet
import Synchronization

struct PreprocessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preprocess",
        abstract: "Index new and changed product images.",
        discussion: "Only files that are new or changed since the last run are embedded; removed files leave the index. Exits non-zero on a fatal error.")

    @Flag(help: "Re-hash and re-embed every image.")
    var forceFull = false

    @Option(help: "Images per forward pass (1-128).")
    var batchSize = 32

    @Option(help: "The product images folder.")
    var images = "product_images"

    @Option(help: "The folder for the index files.")
    var generated = "__generated__"

    @Option(help: "MobileNet weight file (default: SIMILARITY_MODEL, then Models/).")
    var model: String?

    @Flag(help: "Print the summary as the API's JSON.")
    var json = false

    func run() throws {
        guard (1...128).contains(batchSize) else { throw ValidationError("--batch-size must be between 1 and 128") }
        let modelPath = try ModelLocator.resolve(explicitPath: model)
        let network = try MobileNetModel(contentsOf: modelPath)
        // The summary below says what the run did; the log keeps only warnings (e.g. a rebuild).
        var logger = Logger(label: "similarity.preprocess")
        logger.logLevel = .warning
        let catalog = try ProductCatalog(paths: CatalogPaths(imagesDirectory: images, generatedDirectory: generated),
                                         model: network, modelPath: modelPath, logger: logger)
        let display = ProgressDisplay()
        let summary = try catalog.preprocess(forceFull: forceFull, batchSize: batchSize) { display.update($0) }
        display.finish()
        print(json ? SummaryText.json(summary) : SummaryText.plain(summary))
    }
}

/// The run summary as text.
enum SummaryText {
    static func plain(_ summary: IndexSummary) -> String {
        """
        total images:    \(summary.totalImages)
        new images:      \(summary.newImages) (\(summary.modifiedImages) of them modified)
        removed images:  \(summary.removedImages)
        failed images:   \(summary.failedImages)
        unchanged:       \(summary.unchangedImages)
        seconds:         \(formatted("%.2f", summary.seconds))
        \(summary.message)
        """
    }

    /// The same keys as `POST /api/v1/preprocess`.
    static func json(_ summary: IndexSummary) -> String {
        let object: [String: Any] = [
            "success": true, "total_images": summary.totalImages, "new_images": summary.newImages,
            "modified_images": summary.modifiedImages, "removed_images": summary.removedImages,
            "failed_images": summary.failedImages, "unchanged_images": summary.unchangedImages,
            "processing_time": (summary.seconds * 100).rounded() / 100, "message": summary.message,
        ]
        return sortedJSON(object)
    }
}


/// Shows indexing progress on standard error: a redrawn bar on a terminal, a plain line every few
/// seconds otherwise (logs, cron mail).
final class ProgressDisplay: Sendable {
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let lastDrawn = Mutex<Date?>(nil)
    private let drewBar = Atomic<Bool>(false)

    func update(_ progress: IndexProgress) {
        let now = Date()
        let interval = isTerminal ? 0.1 : 5.0
        let due = lastDrawn.withLock { last -> Bool in
            let finished = progress.done == progress.total
            guard finished || last.map({ now.timeIntervalSince($0) >= interval }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        if isTerminal {
            drewBar.store(true, ordering: .relaxed)
            write("\r" + bar(progress) + "\u{1B}[K")
        } else {
            write(line(progress) + "\n")
        }
    }

    /// Ends the bar's line.
    func finish() {
        if isTerminal && drewBar.load(ordering: .relaxed) { write("\n") }
    }

    private func bar(_ progress: IndexProgress) -> String {
        let width = 30
        let filled = progress.total > 0 ? width * progress.done / progress.total : width
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] " + line(progress)
    }

    private func line(_ progress: IndexProgress) -> String {
        let eta = progress.etaSeconds.map { "ETA \(Self.clock($0))" } ?? "ETA --:--"
        return "\(progress.done)/\(progress.total) images  \(formatted("%.1f", progress.imagesPerSecond)) img/s  \(eta)"
    }

    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        let mmss = formatted("%02d:%02d", minutes, secs)
        return hours > 0 ? "\(hours):\(mmss)" : mmss
    }

    private func write(_ text: String) {
        _ = text.withCString { Glibc.write(2, $0, strlen($0)) }
    }
}
