/// Everything an operator can set about the service. Each setting comes from a `similarity serve`
/// flag, else from its environment variable, else from the default here.
public struct APIConfiguration: Sendable, Equatable {
    /// Address to listen on. `0.0.0.0` accepts connections from other machines, as the original did.
    public var host = "0.0.0.0"
    public var port = 8000
    /// Folder of product images (JPEG/PNG), scanned by preprocessing.
    public var imagesDirectory = "product_images"
    /// Folder of the index files (`products_feature.h5`, `products_fields.csv`, `processed_images.json`).
    public var generatedDirectory = "__generated__"
    /// Folder kept for compatibility: uploads are decoded in memory and nothing stays here.
    public var uploadsDirectory = "uploads"
    /// MobileNet weights; nil means `ModelLocator`'s default (`Models/mobilenet_1_0_224_tf_no_top.h5`).
    public var modelPath: String?
    /// Largest accepted request body (an upload with its multipart framing), bytes.
    public var maxUploadBytes = 20 * 1024 * 1024
    /// Origins allowed by CORS; `["*"]` allows any, as the original did; empty disables CORS.
    public var corsAllowedOrigins = ["*"]
    /// `threshold` of find-similar when the request gives none.
    public var defaultThreshold = 0.84
    /// Threads answering requests; nil means four per core.
    public var workerCount: Int?

    public init() {}

    /// The environment variable of each setting, and the help text that documents it.
    public enum Variable: String, CaseIterable, Sendable {
        case host = "SIMILARITY_HOST"
        case port = "SIMILARITY_PORT"
        case imagesDirectory = "SIMILARITY_IMAGES_DIR"
        case generatedDirectory = "SIMILARITY_GENERATED_DIR"
        case uploadsDirectory = "SIMILARITY_UPLOADS_DIR"
        case modelPath = "SIMILARITY_MODEL"
        case maxUploadMegabytes = "SIMILARITY_MAX_UPLOAD_MB"
        case corsOrigins = "SIMILARITY_CORS_ORIGINS"
        case defaultThreshold = "SIMILARITY_DEFAULT_THRESHOLD"
        case workers = "SIMILARITY_WORKERS"
    }

    /// The defaults overridden by whichever `SIMILARITY_*` variables are set (empty ones are ignored).
    public static func fromEnvironment(_ environment: [String: String]) throws(ConfigurationError) -> APIConfiguration {
        var configuration = APIConfiguration()
        for variable in Variable.allCases {
            guard let value = environment[variable.rawValue], !value.isEmpty else { continue }
            try configuration.set(variable, to: value, source: variable.rawValue)
        }
        return configuration
    }

    /// Sets one setting from its text form; `source` names the flag or variable for error messages.
    public mutating func set(_ variable: Variable, to text: String, source: String) throws(ConfigurationError) {
        switch variable {
        case .host: host = text
        case .port: port = try Self.integer(text, source: source, in: 0...65535)
        case .imagesDirectory: imagesDirectory = text
        case .generatedDirectory: generatedDirectory = text
        case .uploadsDirectory: uploadsDirectory = text
        case .modelPath: modelPath = text
        case .maxUploadMegabytes:
            guard let megabytes = LaxValueParser.double(text), megabytes.isFinite, megabytes > 0, megabytes <= 4096 else {
                throw ConfigurationError(source: source, value: text, expected: "a number of megabytes between 0 and 4096")
            }
            maxUploadBytes = Int(megabytes * 1024 * 1024)
        case .corsOrigins:
            corsAllowedOrigins = text.lowercased() == "none"
                ? [] : text.split(separator: ",").map { String($0).trimmedOrigin }.filter { !$0.isEmpty }
        case .defaultThreshold:
            guard let threshold = LaxValueParser.double(text), (0...1).contains(threshold) else {
                throw ConfigurationError(source: source, value: text, expected: "a number between 0.0 and 1.0")
            }
            defaultThreshold = threshold
        case .workers: workerCount = try Self.integer(text, source: source, in: 1...256)
        }
    }

    private static func integer(_ text: String, source: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let value = LaxValueParser.int(text), range.contains(value) else {
            throw ConfigurationError(source: source, value: text,
                                     expected: "an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// One `name: value` line per setting, for the log at start.
    public var summaryLines: [String] {
        [
            "host: \(host)",
            "port: \(port)",
            "images folder: \(imagesDirectory)",
            "generated folder: \(generatedDirectory)",
            "uploads folder: \(uploadsDirectory)",
            "model: \(modelPath ?? "(default) Models/mobilenet_1_0_224_tf_no_top.h5 or $SIMILARITY_MODEL")",
            "upload limit: \(maxUploadBytes / 1024 / 1024) MB (\(maxUploadBytes) bytes)",
            "CORS origins: \(corsAllowedOrigins.isEmpty ? "(disabled)" : corsAllowedOrigins.joined(separator: ", "))",
            "default threshold: \(defaultThreshold)",
            "workers: \(workerCount.map(String.init) ?? "(four per core)")",
        ]
    }
}

/// A setting whose value cannot be used.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let source: String
    public let value: String
    public let expected: String

    public var description: String { "\(source)=\(value.debugDescription) is invalid: expected \(expected)" }
}

extension String {
    fileprivate var trimmedOrigin: String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
