import Foundation

/// Where the test suites find the package, the shared reference data and scratch space.
public enum TestPaths {
    /// The package root (the folder holding Package.swift).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// `../shared` beside the checkout: golden outputs, weights, the dev benchmark corpus.
    public static let shared: URL = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    public static let golden: URL = shared.appendingPathComponent("golden")
    public static let sharedModels: URL = shared.appendingPathComponent("models")
    public static let benchDev: URL = shared.appendingPathComponent("bench/dev")

    /// The alpha-1.0 weights the service uses, as scripts/fetch-model.sh places them.
    public static let defaultModel: URL = packageRoot.appendingPathComponent("Models/mobilenet_1_0_224_tf_no_top.h5")

    /// A fresh, empty temporary folder; the caller removes it when done.
    public static func makeTemporaryDirectory(_ label: String = "test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("similarity-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
