/// Errors of the catalog, with messages fit to show a user.
public enum CatalogError: Error, CustomStringConvertible, Equatable {
    /// Another indexing run (in this process or another) holds the catalog.
    case alreadyRunning
    /// The images folder does not exist or is not a folder.
    case imagesFolderMissing(String)
    /// A batch size outside 1...128.
    case invalidBatchSize(Int)
    /// Reading or writing an index file failed.
    case io(path: String, reason: String)
    /// An index file exists but cannot be understood.
    case corruptIndex(path: String, reason: String)
    /// The model could not be prepared (e.g. OpenBLAS missing).
    case modelUnavailable(String)

    public var description: String {
        switch self {
        case .alreadyRunning:
            return "Preprocessing is already running; try again when it has finished."
        case .imagesFolderMissing(let path):
            return "The images folder '\(path)' does not exist or is not a folder."
        case .invalidBatchSize(let size):
            return "Batch size \(size) is out of range; use 1 to 128."
        case .io(let path, let reason):
            return "Could not access '\(path)': \(reason)."
        case .corruptIndex(let path, let reason):
            return "The index file '\(path)' is unreadable: \(reason)."
        case .modelUnavailable(let reason):
            return "The model cannot run: \(reason)."
        }
    }
}
