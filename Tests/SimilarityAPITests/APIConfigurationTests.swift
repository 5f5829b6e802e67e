import SimilarityAPI
import Testing

struct APIConfigurationTests {
    @Test func defaultsMatchTheOriginalService() throws {
        let configuration = try APIConfiguration.fromEnvironment([:])
        #expect(configuration == APIConfiguration())
        #expect(configuration.port == 8000)
        #expect(configuration.defaultThreshold == 0.84)
        #expect(configuration.imagesDirectory == "product_images")
        #expect(configuration.generatedDirectory == "__generated__")
        #expect(configuration.corsAllowedOrigins == ["*"])
    }

    @Test func everyEnvironmentVariableSetsItsSetting() throws {
        let configuration = try APIConfiguration.fromEnvironment([
            "SIMILARITY_HOST": "127.0.0.1", "SIMILARITY_PORT": "8123", "SIMILARITY_IMAGES_DIR": "/srv/images",
            "SIMILARITY_GENERATED_DIR": "/srv/index", "SIMILARITY_UPLOADS_DIR": "/srv/uploads",
            "SIMILARITY_MODEL": "/srv/model.h5", "SIMILARITY_MAX_UPLOAD_MB": "2.5",
            "SIMILARITY_CORS_ORIGINS": "https://shop.example, https://admin.example",
            "SIMILARITY_DEFAULT_THRESHOLD": "0.9", "SIMILARITY_WORKERS": "3", "UNRELATED": "x",
        ])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8123)
        #expect(configuration.imagesDirectory == "/srv/images")
        #expect(configuration.generatedDirectory == "/srv/index")
        #expect(configuration.uploadsDirectory == "/srv/uploads")
        #expect(configuration.modelPath == "/srv/model.h5")
        #expect(configuration.maxUploadBytes == 2_621_440)
        #expect(configuration.corsAllowedOrigins == ["https://shop.example", "https://admin.example"])
        #expect(configuration.defaultThreshold == 0.9)
        #expect(configuration.workerCount == 3)
        #expect(APIConfiguration.Variable.allCases.count == 10)
    }

    @Test func emptyVariablesAreIgnoredAndNoneDisablesCORS() throws {
        let configuration = try APIConfiguration.fromEnvironment(["SIMILARITY_PORT": "", "SIMILARITY_CORS_ORIGINS": "none"])
        #expect(configuration.port == 8000)
        #expect(configuration.corsAllowedOrigins.isEmpty)
    }

    @Test(arguments: [
        ("SIMILARITY_PORT", "eighty"), ("SIMILARITY_PORT", "70000"), ("SIMILARITY_DEFAULT_THRESHOLD", "1.5"),
        ("SIMILARITY_MAX_UPLOAD_MB", "0"), ("SIMILARITY_MAX_UPLOAD_MB", "lots"), ("SIMILARITY_WORKERS", "0"),
    ])
    func invalidValuesAreRejectedNamingTheVariable(name: String, value: String) {
        #expect {
            _ = try APIConfiguration.fromEnvironment([name: value])
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.source == name && error.description.contains(name) && error.description.contains(value)
        }
    }

    @Test func summaryShowsEverySetting() throws {
        var configuration = APIConfiguration()
        configuration.port = 9001
        configuration.defaultThreshold = 0.87
        let summary = configuration.summaryLines.joined(separator: "\n")
        for fragment in ["host: 0.0.0.0", "port: 9001", "images folder: product_images", "generated folder: __generated__",
                         "uploads folder: uploads", "model:", "upload limit: 20 MB", "CORS origins: *",
                         "default threshold: 0.87", "workers:"] {
            #expect(summary.contains(fragment), "missing \(fragment)")
        }
    }
}
