import Glibc

/// A child process started with `posix_spawn` (the CLI links FoundationEssentials only, which has no
/// `Process`): its output goes to a file or to a pipe the parent reads.
final class ChildProcess {
    enum Output {
        /// Standard output and error appended to this file.
        case file(String)
        /// Standard output kept for `readOutput()`; standard error discarded.
        case pipe
    }

    let processIdentifier: pid_t
    private let outputPipe: Int32?
    private var exitStatus: Int32?

    /// Starts `executable` (a path, or a name looked up in PATH) with `arguments`.
    init(_ executable: String, _ arguments: [String], output: Output) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var pipeEnds: [Int32] = [-1, -1]
        switch output {
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        case .pipe:
            guard pipe(&pipeEnds) == 0 else { throw ChildProcessError.spawnFailed(executable, errno) }
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
            posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, executable, &actions, nil, argv, environ)
        if pipeEnds[1] >= 0 { close(pipeEnds[1]) }
        guard status == 0 else {
            if pipeEnds[0] >= 0 { close(pipeEnds[0]) }
            throw ChildProcessError.spawnFailed(executable, status)
        }
        processIdentifier = pid
        outputPipe = pipeEnds[0] >= 0 ? pipeEnds[0] : nil
    }

    deinit {
        if let outputPipe { close(outputPipe) }
    }

    /// Whether the child has not exited yet.
    var isRunning: Bool {
        guard exitStatus == nil else { return false }
        var status: Int32 = 0
        guard waitpid(processIdentifier, &status, WNOHANG) == processIdentifier else { return true }
        exitStatus = status
        return false
    }

    /// Sends SIGTERM.
    func terminate() { kill(processIdentifier, SIGTERM) }

    /// Waits for the child to exit; true when it exited with status 0.
    @discardableResult
    func waitUntilExit() -> Bool {
        if exitStatus == nil {
            var status: Int32 = 0
            while waitpid(processIdentifier, &status, 0) < 0 && errno == EINTR {}
            exitStatus = status
        }
        return exitStatus == 0
    }

    /// Everything the child writes to standard output until it closes it (`.pipe` only).
    func readOutput() -> String {
        guard let outputPipe else { return "" }
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(outputPipe, &chunk, chunk.count)
            if count > 0 { bytes += chunk[0..<count] } else if count == 0 || errno != EINTR { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

enum ChildProcessError: Error, CustomStringConvertible {
    case spawnFailed(String, Int32)

    var description: String {
        switch self {
        case .spawnFailed(let executable, let code): "could not start \(executable): \(String(cString: strerror(code)))"
        }
    }
}
