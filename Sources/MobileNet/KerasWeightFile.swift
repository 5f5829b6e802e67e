import FoundationEssentials
import Glibc
import HDF5

/// Read access to the tensors of a Keras 2 legacy weight file (`layer_names`, one group per layer,
/// `weight_names` naming each layer's datasets).
struct KerasWeightFile {
    private let file: HDF5File
    private let layerNames: Set<String>

    init(path: String) throws {
        do {
            file = try HDF5File.openReadOnly(path)
        } catch {
            throw MobileNetError.cannotOpen(path: path, reason: Self.whyUnopenable(path))
        }
        let names: [String]
        do {
            names = try file.root.stringsAttribute("layer_names")
        } catch {
            throw MobileNetError.notMobileNetV1("it has no Keras layer list (root attribute 'layer_names')")
        }
        layerNames = Set(names)
        // Every MobileNet v1 has these; another network (even one with a `conv1`) does not.
        if !layerNames.contains("conv_dw_1") && !layerNames.contains("conv_pw_1") {
            let sample = names.prefix(5).joined(separator: ", ")
            throw MobileNetError.notMobileNetV1("it has no depthwise-separable blocks (its layers begin: \(sample))")
        }
    }

    /// Why HDF5 could not open `path`, in words a user can act on.
    private static func whyUnopenable(_ path: String) -> String {
        guard FileManager.default.fileExists(atPath: path) else { return "no such file" }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return "the file is not readable" }
        defer { close(descriptor) }
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]  // "\x89HDF\r\n\x1a\n"
        var head = [UInt8](repeating: 0, count: 8)
        guard Glibc.read(descriptor, &head, 8) == 8, head == signature else {
            return "it is not an HDF5 file"
        }
        var info = stat()
        let size = fstat(descriptor, &info) == 0 ? Int(info.st_size) : 0
        return "it is an HDF5 file that cannot be read, most likely truncated or damaged (\(size) bytes); "
            + "get a fresh copy (scripts/fetch-model.sh)"
    }

    /// The tensor of `layer` whose weight name ends in `suffix` (e.g. `kernel:0`), checked against `shape`.
    func tensor(layer: String, suffix: String, shape: [Int]) throws -> [Float] {
        let array = try read(layer: layer, suffix: suffix)
        guard array.shape == shape, array.values.count == shape.reduce(1, *) else {
            throw MobileNetError.unexpectedShape(name: "\(layer)/\(suffix)", expected: shape, found: array.shape)
        }
        return array.values
    }

    /// The tensor of `layer` whose weight name ends in `suffix`, whatever its shape.
    func read(layer: String, suffix: String) throws -> FloatArray {
        guard layerNames.contains(layer), file.root.exists(layer) else {
            throw MobileNetError.missingLayer(layer)
        }
        let group: HDF5Group
        let weightNames: [String]
        do {
            group = try file.root.openGroup(layer)
            weightNames = try group.stringsAttribute("weight_names")
        } catch {
            throw MobileNetError.unreadableWeight(layer: layer, weight: suffix, reason: "\(error)")
        }
        guard let name = weightNames.first(where: { $0.split(separator: "/").last.map(String.init) == suffix }),
              group.exists(name) else {
            throw MobileNetError.missingWeight(layer: layer, weight: suffix)
        }
        do {
            return try group.readFloats(name)
        } catch {
            throw MobileNetError.unreadableWeight(layer: layer, weight: name, reason: "\(error)")
        }
    }
}
