/// Every failure of the HDF5 wrapper. Paths of objects and attributes are paths inside the file
/// (`/conv1/conv1/kernel:0`; attributes as `/conv1@weight_names`); `openFailed`/`createFailed` name
/// the file on disk.
public enum HDF5Error: Error, Equatable, CustomStringConvertible {
    /// The file cannot be opened: missing, unreadable, not HDF5, or truncated.
    case openFailed(path: String)
    case createFailed(path: String)
    /// An object or attribute inside the file does not exist.
    case notFound(path: String)
    /// The object exists but holds something other than `expected`.
    case typeMismatch(path: String, expected: String)
    case readFailed(path: String)
    case writeFailed(path: String)
    /// The caller passed something unusable, e.g. a shape whose product differs from the value count.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .openFailed(let path): "cannot open HDF5 file \(path) (missing, unreadable, not HDF5 or truncated)"
        case .createFailed(let path): "cannot create HDF5 file \(path)"
        case .notFound(let path): "HDF5 object \(path) not found"
        case .typeMismatch(let path, let expected): "HDF5 object \(path) is not \(expected)"
        case .readFailed(let path): "cannot read HDF5 object \(path)"
        case .writeFailed(let path): "cannot write HDF5 object \(path)"
        case .invalidArgument(let message): "invalid HDF5 request: \(message)"
        }
    }
}
