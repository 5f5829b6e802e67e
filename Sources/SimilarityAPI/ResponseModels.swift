// The JSON bodies of the API's successful responses. Field names and types match the original
// service exactly (snake_case); fields it did not have are marked as additions.

/// `POST /api/v1/preprocess`.
public struct PreprocessResponse: Codable, Sendable, Equatable {
    public let success: Bool
    public let totalImages: Int
    public let newImages: Int
    public let removedImages: Int
    public let failedImages: Int
    /// Seconds.
    public let processingTime: Double
    public let message: String
    /// Addition: images whose content changed since the last run.
    public let modifiedImages: Int
    /// Addition: images indexed before and unchanged.
    public let unchangedImages: Int

    enum CodingKeys: String, CodingKey {
        case success, message
        case totalImages = "total_images", newImages = "new_images", removedImages = "removed_images"
        case failedImages = "failed_images", processingTime = "processing_time"
        case modifiedImages = "modified_images", unchangedImages = "unchanged_images"
    }
}

/// One product in a `SimilarityResponse`.
public struct MatchResponse: Codable, Sendable, Equatable {
    public let imageId: String
    public let imagePath: String
    public let filename: String
    /// Cosine similarity in [-1, 1].
    public let similarityScore: Float

    enum CodingKeys: String, CodingKey {
        case filename
        case imageId = "image_id", imagePath = "image_path", similarityScore = "similarity_score"
    }
}

/// `POST /api/v1/find-similar`.
public struct SimilarityResponse: Codable, Sendable, Equatable {
    public let success: Bool
    /// Best first, at most `top_k`, all scoring at least `threshold_used`.
    public let matches: [MatchResponse]
    /// How many products the query was compared with.
    public let totalCompared: Int
    public let processingTimeMs: Double
    public let thresholdUsed: Double

    enum CodingKeys: String, CodingKey {
        case success, matches
        case totalCompared = "total_compared", processingTimeMs = "processing_time_ms", thresholdUsed = "threshold_used"
    }
}

/// `GET /api/v1/preprocess/status`.
public struct PreprocessStatusResponse: Codable, Sendable, Equatable {
    public let totalImages: Int
    public let processedImages: Int
    public let pendingImages: Int
    public let removedImages: Int
    public let featureFileExists: Bool
    public let metadataFileExists: Bool
    /// ISO 8601 time of the last completed index run, or null when there was none.
    public let lastUpdate: String?
    /// Addition: images that could not be decoded in the last run.
    public let failedImages: Int
    /// Addition: whether an index run is going now.
    public let isRunning: Bool

    enum CodingKeys: String, CodingKey {
        case totalImages = "total_images", processedImages = "processed_images", pendingImages = "pending_images"
        case removedImages = "removed_images", featureFileExists = "feature_file_exists"
        case metadataFileExists = "metadata_file_exists", lastUpdate = "last_update"
        case failedImages = "failed_images", isRunning = "is_running"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(totalImages, forKey: .totalImages)
        try container.encode(processedImages, forKey: .processedImages)
        try container.encode(pendingImages, forKey: .pendingImages)
        try container.encode(removedImages, forKey: .removedImages)
        try container.encode(featureFileExists, forKey: .featureFileExists)
        try container.encode(metadataFileExists, forKey: .metadataFileExists)
        try container.encode(lastUpdate, forKey: .lastUpdate)  // null, not omitted, as the original
        try container.encode(failedImages, forKey: .failedImages)
        try container.encode(isRunning, forKey: .isRunning)
    }
}

/// `GET /health`.
public struct HealthResponse: Codable, Sendable, Equatable {
    /// Always `"healthy"` while the process answers (the model is loaded before the port opens).
    public let status: String
    public let modelLoaded: Bool
    /// Whether any product is indexed (find-similar answers 503 until then).
    public let featuresLoaded: Bool
    public let totalProducts: Int

    enum CodingKeys: String, CodingKey {
        case status
        case modelLoaded = "model_loaded", featuresLoaded = "features_loaded", totalProducts = "total_products"
    }
}

/// `GET /stats`.
public struct StatsResponse: Codable, Sendable, Equatable {
    public let totalProducts: Int
    public let featureDimension: Int
    /// Memory held by the feature matrix, MiB.
    public let memoryUsageMb: Double
    /// Size of `products_feature.h5`, MiB (0 when absent).
    public let featureFileSizeMb: Double
    /// Addition: the model serving queries.
    public let model: ModelInfo
    /// Addition: resident memory of the whole process, MiB.
    public let processRssMb: Double
    /// Addition: seconds since the server started.
    public let uptimeSeconds: Double
    /// Addition: requests answered since start, this one included.
    public let requestsServed: Int
    /// Addition: whether an index run is going now.
    public let isIndexing: Bool
    /// Addition: mean images per forward pass of find-similar (concurrent requests share passes).
    public let meanQueryBatch: Double

    enum CodingKeys: String, CodingKey {
        case model
        case meanQueryBatch = "mean_query_batch"
        case totalProducts = "total_products", featureDimension = "feature_dimension"
        case memoryUsageMb = "memory_usage_mb", featureFileSizeMb = "feature_file_size_mb"
        case processRssMb = "process_rss_mb", uptimeSeconds = "uptime_seconds"
        case requestsServed = "requests_served", isIndexing = "is_indexing"
    }
}

/// The model part of `StatsResponse`.
public struct ModelInfo: Codable, Sendable, Equatable {
    public let name: String
    /// The weight file.
    public let path: String
    public let alpha: Double
    public let inputSize: Int
    public let featureDimension: Int

    enum CodingKeys: String, CodingKey {
        case name, path, alpha
        case inputSize = "input_size", featureDimension = "feature_dimension"
    }

    public init(name: String, path: String, alpha: Double, inputSize: Int, featureDimension: Int) {
        self.name = name
        self.path = path
        self.alpha = alpha
        self.inputSize = inputSize
        self.featureDimension = featureDimension
    }
}
