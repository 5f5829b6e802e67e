import FoundationEssentials

/// Finds the MobileNet weight file. The one place that decides where weights come from, shared by
/// the CLI, the server and the tests.
///
/// Order: an explicit path, then the `SIMILARITY_MODEL` environment variable, then
/// `Models/mobilenet_1_0_224_tf_no_top.h5` under the working directory.
public enum ModelLocator {
    /// The file name Keras publishes for alpha 1.0, 224x224, without the classifier.
    public static let defaultFileName = "mobilenet_1_0_224_tf_no_top.h5"
    /// The environment variable naming a weight file.
    public static let environmentVariable = "SIMILARITY_MODEL"

    public enum LocatorError: Error, CustomStringConvertible {
        case notFound(searched: [String])

        public var description: String {
            switch self {
            case .notFound(let searched):
                return "MobileNet weights not found (looked at: \(searched.joined(separator: ", "))). "
                    + "Run scripts/fetch-model.sh to download them (or copy them from ../shared/models), "
                    + "or pass --model PATH / set \(ModelLocator.environmentVariable)=PATH."
            }
        }
    }

    /// Returns the path of the weight file to load, or throws an error that says how to get one.
    public static func resolve(explicitPath: String? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               workingDirectory: String = FileManager.default.currentDirectoryPath) throws -> String {
        var candidates: [String] = []
        if let explicitPath, !explicitPath.isEmpty { candidates.append(explicitPath) }
        else if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            candidates.append(fromEnvironment)
        } else {
            candidates.append(workingDirectory + "/Models/" + defaultFileName)
        }
        for path in candidates where FileManager.default.isReadableFile(atPath: path) {
            return path
        }
        throw LocatorError.notFound(searched: candidates)
    }
}
