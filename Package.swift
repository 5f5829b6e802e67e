// swift-tools-version:6.0
import PackageDescription

/// The MobileNet kernels are SIMD fused multiply-adds: compiled for a generic x86-64 CPU, Swift turns
/// each into a libm call per lane. They are built for the CPU of the build machine (AVX2 or AVX-512);
/// set SIMILARITY_TARGET_CPU (an LLVM CPU name, e.g. `haswell`) to build for another machine.
#if arch(x86_64)
let mobileNetTargetCPU = Context.environment["SIMILARITY_TARGET_CPU"] ?? "native"
let mobileNetSettings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", mobileNetTargetCPU])]
#else
let mobileNetSettings: [SwiftSetting] = []
#endif

/// Library targets that do numeric work get full optimisation even in debug builds' dependencies:
/// the suite itself runs in release (`swift test -c release`), see scripts/test.sh.
let package = Package(
    name: "similarity",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "similarity", targets: ["similarity"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // MARK: C libraries from Debian packages
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng16", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        /// OpenBLAS, loaded at run time so its fastest kernels can be chosen before it initialises.
        .target(name: "CBLAS", linkerSettings: [.linkedLibrary("dl")]),

        // MARK: Swift modules
        /// Locks, condition variables and threads on pthreads, shared by the modules that run their own threads.
        .systemLibrary(name: "CThreads"),
        /// glibc's mallopt, for the server's allocator settings.
        .systemLibrary(name: "CAllocator"),
        .target(name: "Threads", dependencies: ["CThreads"]),
        .target(name: "HDF5", dependencies: ["CHDF5", "Threads"]),
        /// libpng's classic API wrapped in C, so its longjmp error handling never crosses Swift frames.
        .target(name: "CPNGDecode", dependencies: ["CPNG"]),
        .target(name: "Imaging", dependencies: ["CTurboJPEG", "CPNGDecode"]),
        .target(name: "MobileNet", dependencies: ["HDF5", "CBLAS", "Threads"], swiftSettings: mobileNetSettings),
        .target(name: "Catalog", dependencies: [
            "Imaging", "MobileNet", "HDF5", "CCrypto", "CBLAS",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: mobileNetSettings),  // same CPU level: the search kernels convert int8 and multiply in SIMD
        /// epoll and eventfd headers for the HTTP server's event loops (not in Swift's Glibc module).
        .systemLibrary(name: "CEpoll"),
        .target(name: "HTTP", dependencies: ["CEpoll", "Threads", .product(name: "Logging", package: "swift-log")]),
        .target(name: "SimilarityAPI", dependencies: [
            "HTTP", "Catalog", "Imaging", "MobileNet",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "similarity", dependencies: [
            "SimilarityAPI", "Catalog", "Imaging", "MobileNet", "HTTP", "HDF5", "Threads", "CAllocator",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // MARK: Tests (run in release: tests use public API only, no @testable)
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ThreadsTests", dependencies: ["Threads"]),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "TestSupport"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "TestSupport", "CTurboJPEG", "CPNG", "MobileNet"]),
        .testTarget(name: "MobileNetTests", dependencies: ["MobileNet", "HDF5", "TestSupport", "Imaging", "CPNG"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "Imaging", "MobileNet", "HDF5", "TestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "SimilarityAPITests", dependencies: ["SimilarityAPI", "HTTP", "Catalog", "Imaging", "MobileNet", "TestSupport"]),
    ]
)
