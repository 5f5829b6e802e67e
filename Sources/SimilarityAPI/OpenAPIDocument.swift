/// The OpenAPI 3.1 description of the service, served at `/openapi.json` and read by `/docs` and `/redoc`.
public enum OpenAPIDocument {
    /// The version reported in the document's `info`.
    public static let apiVersion = "2.0.0"

    /// The document for a server with this configuration (defaults and limits are described as set).
    public static func make(_ configuration: APIConfiguration) -> JSONValue {
        [
            "openapi": "3.1.0",
            "info": [
                "title": "Image Similarity API",
                "version": .string(apiVersion),
                "description": .string("Find visually similar products: upload an image and get the catalog images whose "
                    + "MobileNet v1 features are closest by cosine similarity. Preprocessing indexes new and "
                    + "changed catalog images incrementally (meant for cron)."),
            ],
            "paths": [
                "/api/v1/preprocess": ["post": preprocess],
                "/api/v1/preprocess/status": ["get": status],
                "/api/v1/find-similar": ["post": findSimilar(configuration)],
                "/health": ["get": health],
                "/stats": ["get": stats],
            ],
            "components": ["schemas": schemas],
        ]
    }

    // MARK: Operations

    private static let preprocess: JSONValue = [
        "tags": ["preprocessing"],
        "summary": "Index new and changed product images",
        "description": .string("Scans the images folder, embeds new and modified images (MD5 change detection), drops "
            + "removed ones, saves the index and swaps it in while searches keep being answered. Answers when "
            + "the run is done. A second run while one is going gets 409."),
        "operationId": "preprocess",
        "parameters": [
            queryParameter("force_full", "Reprocess every image, not only new and changed ones.",
                           ["type": "boolean", "default": false]),
            queryParameter("batch_size", "Images per forward pass (1-128).",
                           ["type": "integer", "minimum": 1, "maximum": 128, "default": 32]),
        ],
        "responses": [
            "200": jsonResponse("The run's summary.", "PreprocessingResponse"),
            "409": jsonResponse("A preprocessing run is already going.", "ErrorResponse"),
            "422": jsonResponse("A parameter is unparsable or out of range.", "ValidationErrorResponse"),
            "500": jsonResponse("The index could not be written (see the server log).", "ErrorResponse"),
        ],
    ]

    private static let status: JSONValue = [
        "tags": ["preprocessing"],
        "summary": "Preprocessing status",
        "description": .string("Counts of catalog images indexed and waiting, whether the index files exist, and when "
            + "the last run finished."),
        "operationId": "preprocessStatus",
        "responses": ["200": jsonResponse("Current status.", "PreprocessStatusResponse")],
    ]

    private static func findSimilar(_ configuration: APIConfiguration) -> JSONValue {
        [
            "tags": ["search"],
            "summary": "Find products similar to an uploaded image",
            "description": .string("Upload a JPEG or PNG (multipart field `file`; the format is detected from the bytes, "
                + "so any part content type works). Returns the products scoring at least `threshold`, best "
                + "first, at most `top_k`. Request bodies above \(configuration.maxUploadBytes) bytes get 413."),
            "operationId": "findSimilar",
            "parameters": [
                queryParameter("threshold", "Smallest cosine similarity to return (0.0-1.0).",
                               ["type": "number", "minimum": 0.0, "maximum": 1.0,
                                "default": .double(configuration.defaultThreshold)]),
                queryParameter("top_k", "Most matches to return (1-100).",
                               ["type": "integer", "minimum": 1, "maximum": 100, "default": 10]),
            ],
            "requestBody": [
                "required": true,
                "content": ["multipart/form-data": ["schema": [
                    "type": "object",
                    "properties": ["file": ["type": "string", "format": "binary",
                                            "description": "The image: JPEG or PNG."]],
                    "required": ["file"],
                ]]],
            ],
            "responses": [
                "200": jsonResponse("Matches, best first.", "SimilarityResponse"),
                "400": jsonResponse("No `file` field, an empty file, malformed multipart or a corrupt image.",
                                    "ErrorResponse"),
                "413": jsonResponse("The upload or the image's pixel count is over the limit.", "ErrorResponse"),
                "415": jsonResponse("The upload is not a JPEG or PNG image.", "ErrorResponse"),
                "422": jsonResponse("A parameter is unparsable or out of range.", "ValidationErrorResponse"),
                "503": jsonResponse("No product is indexed yet: run preprocessing first.", "ErrorResponse"),
            ],
        ]
    }

    private static let health: JSONValue = [
        "tags": ["service"],
        "summary": "Health check",
        "operationId": "health",
        "responses": ["200": jsonResponse("The service answers.", "HealthResponse")],
    ]

    private static let stats: JSONValue = [
        "tags": ["service"],
        "summary": "Service statistics",
        "operationId": "stats",
        "responses": ["200": jsonResponse("Index size, memory, model and traffic figures.", "StatsResponse")],
    ]

    // MARK: Schemas

    private static let schemas: JSONValue = [
        "PreprocessingResponse": object([
            ("success", boolean), ("total_images", integer), ("new_images", integer),
            ("removed_images", integer), ("failed_images", integer),
            ("processing_time", described(number, "Seconds.")), ("message", string),
            ("modified_images", integer), ("unchanged_images", integer),
        ]),
        "Match": object([
            ("image_id", string), ("image_path", string), ("filename", string),
            ("similarity_score", described(number, "Cosine similarity, -1 to 1.")),
        ]),
        "SimilarityResponse": object([
            ("success", boolean), ("matches", ["type": "array", "items": ref("Match")]),
            ("total_compared", integer), ("processing_time_ms", number), ("threshold_used", number),
        ]),
        "PreprocessStatusResponse": object([
            ("total_images", integer), ("processed_images", integer), ("pending_images", integer),
            ("removed_images", integer), ("feature_file_exists", boolean), ("metadata_file_exists", boolean),
            ("last_update", ["type": ["string", "null"], "format": "date-time"]),
            ("failed_images", integer), ("is_running", boolean),
        ]),
        "HealthResponse": object([
            ("status", string), ("model_loaded", boolean), ("features_loaded", boolean),
            ("total_products", integer),
        ]),
        "ModelInfo": object([
            ("name", string), ("path", string), ("alpha", number), ("input_size", integer),
            ("feature_dimension", integer),
        ]),
        "StatsResponse": object([
            ("total_products", integer), ("feature_dimension", integer),
            ("memory_usage_mb", described(number, "Memory the index keeps for the feature vectors, MiB (half-precision copies when the float32 rows are read from the feature file).")),
            ("feature_file_size_mb", number), ("model", ref("ModelInfo")),
            ("process_rss_mb", described(number, "Resident memory of the process, MiB.")),
            ("uptime_seconds", number), ("requests_served", integer), ("is_indexing", boolean),
            ("mean_query_batch", described(number, "Mean images per forward pass of find-similar.")),
        ]),
        "ErrorResponse": object([
            ("success", ["type": "boolean", "const": false]), ("error", string), ("detail", string),
        ]),
        "ParameterViolation": object([
            ("type", string), ("loc", ["type": "array", "items": string]), ("msg", string), ("input", string),
        ]),
        "ValidationErrorResponse": object([
            ("success", ["type": "boolean", "const": false]), ("error", string),
            ("detail", ["type": "array", "items": ref("ParameterViolation")]),
        ]),
    ]

    // MARK: Building blocks

    private static let boolean: JSONValue = ["type": "boolean"]
    private static let integer: JSONValue = ["type": "integer"]
    private static let number: JSONValue = ["type": "number"]
    private static let string: JSONValue = ["type": "string"]

    private static func ref(_ schema: String) -> JSONValue {
        ["$ref": .string("#/components/schemas/" + schema)]
    }

    private static func described(_ schema: JSONValue, _ description: String) -> JSONValue {
        guard case .object(let members) = schema else { return schema }
        return .object(members + [("description", .string(description))])
    }

    /// An object schema whose properties are all required (every field is always present).
    private static func object(_ properties: [(String, JSONValue)]) -> JSONValue {
        [
            "type": "object",
            "properties": .object(properties),
            "required": .array(properties.map { .string($0.0) }),
        ]
    }

    private static func queryParameter(_ name: String, _ description: String, _ schema: JSONValue) -> JSONValue {
        ["name": .string(name), "in": "query", "required": false, "description": .string(description),
         "schema": schema]
    }

    private static func jsonResponse(_ description: String, _ schema: String) -> JSONValue {
        ["description": .string(description), "content": ["application/json": ["schema": ref(schema)]]]
    }
}
