/// Everything that can go wrong while loading MobileNet weights, with messages fit to show a user.
public enum MobileNetError: Error, CustomStringConvertible, Equatable {
    /// The weight file could not be opened as HDF5 (missing, unreadable, truncated or not HDF5).
    case cannotOpen(path: String, reason: String)
    /// The file is a MobileNet v1 weight file but lacks a layer the network needs.
    case missingLayer(String)
    /// A layer is present but one of its weights is not.
    case missingWeight(layer: String, weight: String)
    /// A weight could not be read (typically a truncated or damaged file).
    case unreadableWeight(layer: String, weight: String, reason: String)
    /// A weight has a shape the network cannot use.
    case unexpectedShape(name: String, expected: [Int], found: [Int])
    /// The file holds some other network (or no Keras weights at all).
    case notMobileNetV1(String)
    /// `FeatureExtractor.activation` was asked for a layer the network does not have.
    case unknownLayer(String)
    /// OpenBLAS could not be loaded.
    case blasUnavailable(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open the MobileNet weight file \(path): \(reason)"
        case .missingLayer(let layer):
            return "the MobileNet weight file has no layer '\(layer)'; it is incomplete, get a fresh copy"
        case .missingWeight(let layer, let weight):
            return "the MobileNet weight file has no weight '\(weight)' in layer '\(layer)'"
        case .unreadableWeight(let layer, let weight, let reason):
            return "cannot read weight '\(weight)' of layer '\(layer)' (is the file truncated?): \(reason)"
        case .unexpectedShape(let name, let expected, let found):
            return "weight '\(name)' has shape \(found), expected \(expected)"
        case .notMobileNetV1(let why):
            return "not a Keras MobileNet v1 weight file: \(why)"
        case .unknownLayer(let name):
            return "MobileNet v1 has no layer '\(name)' (try conv1_relu, conv_dw_1_relu, conv_pw_1_relu, ...)"
        case .blasUnavailable(let why):
            return "cannot run MobileNet without BLAS: \(why)"
        }
    }
}
