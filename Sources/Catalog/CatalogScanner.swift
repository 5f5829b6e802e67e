import FoundationEssentials
import Glibc

/// What `stat` says about a file: enough to tell, without reading it, that it has not changed.
public struct FileStamp: Hashable, Sendable {
    public let size: Int64
    /// Modification time in nanoseconds since 1970.
    public let modifiedNanoseconds: Int64
    public let inode: UInt64

    public init(size: Int64, modifiedNanoseconds: Int64, inode: UInt64) {
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
        self.inode = inode
    }

    /// Modification time as a date.
    public var modified: Date { Date(timeIntervalSince1970: Double(modifiedNanoseconds) / 1e9) }
}

/// One image file found in the catalog folder.
public struct ScannedFile: Sendable, Equatable {
    /// Path relative to the images folder, with `/` between components, e.g. `shoes/red.jpg`.
    public let relativePath: String
    /// The product id: the relative path without its extension (`shoes/red`), or with it when two
    /// files would otherwise share an id (`a.jpg` and `a.png` become `a.jpg` and `a.png`).
    public let id: String
    public let stamp: FileStamp
}

/// The outcome of scanning the catalog folder.
public struct CatalogScan: Sendable {
    /// The absolute, symlink-free path of the images folder.
    public let rootPath: String
    /// Image files in walk order: names sorted within each folder, a folder's files where its name sorts.
    public let files: [ScannedFile]
    /// Entries passed over: hidden files, links leaving the folder, folder links, names that are not UTF-8.
    public let skipped: Int
}

/// Lists the product images under a folder, with `stat` only (no file is read).
///
/// Rules: `.jpg`, `.jpeg` and `.png` in any letter case; subfolders included; names starting with a
/// dot (files and folders) are hidden and skipped; a symbolic link to a file is followed only when its
/// target lies inside the folder; links to folders are never followed (they could only repeat files
/// or loop).
public enum CatalogScanner {
    public static func scan(_ imagesDirectory: String) throws -> CatalogScan {
        guard let rootPath = realPath(imagesDirectory), isDirectory(rootPath) else {
            throw CatalogError.imagesFolderMissing(imagesDirectory)
        }
        var walker = Walker(rootPath: rootPath)
        walker.walk(directory: rootPath, relativePrefix: "")
        return CatalogScan(rootPath: rootPath, files: assignIds(walker.found), skipped: walker.skipped)
    }

    /// Whether a file name has one of the image extensions.
    static func isImageName(_ name: String) -> Bool {
        let bytes = name.utf8
        guard let dot = bytes.lastIndex(of: UInt8(ascii: ".")), dot != bytes.startIndex else { return false }
        let suffix = bytes[bytes.index(after: dot)...]
        guard suffix.count == 3 || suffix.count == 4 else { return false }
        // ASCII lower-casing of the extension's bytes (non-letters never match anyway).
        let lowered = suffix.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        return lowered.elementsEqual("jpg".utf8) || lowered.elementsEqual("jpeg".utf8) || lowered.elementsEqual("png".utf8)
    }

    static func stem(of relativePath: String) -> String {
        guard let dot = relativePath.lastIndex(of: ".") else { return relativePath }
        return String(relativePath[..<dot])
    }

    private static func assignIds(_ files: [(relativePath: String, stamp: FileStamp)]) -> [ScannedFile] {
        var stemCounts: [String: Int] = [:]
        for file in files { stemCounts[stem(of: file.relativePath), default: 0] += 1 }
        return files.map { file in
            let stem = stem(of: file.relativePath)
            let id = stemCounts[stem] == 1 ? stem : file.relativePath
            return ScannedFile(relativePath: file.relativePath, id: id, stamp: file.stamp)
        }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func stamp(of info: stat) -> FileStamp {
        FileStamp(size: Int64(info.st_size),
                  modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
                  inode: UInt64(info.st_ino))
    }

    /// Recursive walk with `fstatat` relative to each open folder, so a file costs one system call.
    /// Names are sorted within each folder, so the walk order (and the scan's order) is stable.
    private struct Walker {
        let rootPath: String
        var found: [(relativePath: String, stamp: FileStamp)] = []
        var skipped = 0

        mutating func walk(directory path: String, relativePrefix: String) {
            guard let dir = opendir(path) else { skipped += 1; return }
            defer { closedir(dir) }
            let fd = dirfd(dir)
            var entries: [(name: String, type: UInt8)] = []
            while let entry = readdir(dir) {
                guard let name = Self.name(of: entry) else { skipped += 1; continue }
                if name == "." || name == ".." { continue }
                if name.utf8.first == UInt8(ascii: ".") { skipped += 1; continue }
                entries.append((name, entry.pointee.d_type))
            }
            entries.sort { $0.name < $1.name }
            for entry in entries {
                visit(name: entry.name, type: entry.type, parentFD: fd, parentPath: path, relativePrefix: relativePrefix)
            }
        }

        private mutating func visit(name: String, type: UInt8, parentFD: Int32, parentPath: String,
                                    relativePrefix: String) {
            let isFolder = type == UInt8(DT_DIR)
            guard isFolder || type == UInt8(DT_UNKNOWN) || CatalogScanner.isImageName(name) else { return }
            var info = stat()
            guard fstatat(parentFD, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { skipped += 1; return }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                walk(directory: parentPath + "/" + name, relativePrefix: relativePrefix + name + "/")
            case S_IFREG:
                if CatalogScanner.isImageName(name) { found.append((relativePrefix + name, CatalogScanner.stamp(of: info))) }
            case S_IFLNK:
                guard CatalogScanner.isImageName(name) else { return }
                guard let target = CatalogScanner.realPath(parentPath + "/" + name), target.hasPrefix(rootPath + "/"),
                      stat(target, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                    skipped += 1
                    return
                }
                found.append((relativePrefix + name, CatalogScanner.stamp(of: info)))
            default:
                return
            }
        }

        private static func name(of entry: UnsafeMutablePointer<dirent>) -> String? {
            withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(validatingCString: $0) }
            }
        }
    }
}
