import Foundation
// Child processes for the end-to-end tests, started with posix_spawn and waited for with a deadline.
//
// Why not Foundation's Process: on Linux its waitUntilExit and pipe reads have no deadline, pipes it creates
// are inherited by children that other tests start at the same moment, and a child stuck for any reason
// then hangs the whole test run instead of failing one test. Here every descriptor we open is close-on-exec,
// output goes to files or is read with poll(2), and every wait ends at a deadline by killing the child.
import Glibc
import Testing

/// How a child ended.
enum Termination: Equatable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)
    /// Still running at the deadline; it has been killed.
    case timedOut

    var description: String {
        switch self {
        case .exited(let code): "exit \(code)"
        case .signalled(let signal): "signal \(signal)"
        case .timedOut: "timed out"
        }
    }
}

enum ChildProcessError: Error, CustomStringConvertible {
    case system(String, Int32)
    var description: String {
        switch self {
        case .system(let call, let code): "\(call): \(String(cString: strerror(code)))"
        }
    }
}

/// A started child process.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    private(set) var termination: Termination?

    /// Starts `executable` with its standard streams taken from the given descriptors (duplicated onto 0, 1, 2).
    init(
        executable: String, arguments: [String], environment: [String: String], directory: String,
        stdin: Int32, stdout: Int32, stderr: Int32
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        let chdirResult = addChdir(&actions, directory)
        guard chdirResult == 0 else { throw ChildProcessError.system("posix_spawn_file_actions_addchdir_np", chdirResult) }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        // This process ignores SIGPIPE (a test may write to a child it has just killed); the child must not
        // inherit that, so its SIGPIPE is reset to the default.
        ignoreBrokenPipes
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw ChildProcessError.system("posix_spawn \(executable)", result) }
        pid = child
    }

    /// Waits until the child ends or the deadline passes; at the deadline the child is killed.
    @discardableResult
    func wait(timeout: TimeInterval) -> Termination {
        if let termination { return termination }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let ended = poll() { return ended }
            if Date() >= deadline {
                Glibc.kill(pid, SIGKILL)
                _ = waitBlocking()
                termination = .timedOut
                return .timedOut
            }
            usleep(2_000)
        }
    }

    /// SIGKILL, as when power fails; returns how the child ended.
    @discardableResult
    func kill() -> Termination {
        if let termination { return termination }
        Glibc.kill(pid, SIGKILL)
        let ended = waitBlocking()
        termination = ended
        return ended
    }

    var isRunning: Bool { poll() == nil }

    private func poll() -> Termination? {
        if let termination { return termination }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        termination = Self.decode(status)
        return termination
    }

    private func waitBlocking() -> Termination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return Self.decode(status)
    }

    /// The wait status as the W* macros read it (they are not visible to Swift).
    private static func decode(_ status: Int32) -> Termination {
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }
}

/// Writing to a pipe whose reader has died then fails with EPIPE instead of killing the test process.
private let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

/// A close-on-exec descriptor for a file, so that no other test's child inherits it.
func openFile(_ path: String, writing: Bool) throws -> Int32 {
    let flags = writing ? (O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC) : (O_RDONLY | O_CLOEXEC)
    let fd = open(path, flags, 0o644)
    guard fd >= 0 else { throw ChildProcessError.system("open \(path)", errno) }
    return fd
}

/// glibc's GNU extensions are not visible to Swift without _GNU_SOURCE, so these two are looked up at run time.
nonisolated(unsafe) private let libc = dlopen(nil, RTLD_NOW)
private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
private let addChdirSymbol: AddChdir = unsafeBitCast(dlsym(libc, "posix_spawn_file_actions_addchdir_np")!, to: AddChdir.self)
private let pipe2Symbol: Pipe2 = unsafeBitCast(dlsym(libc, "pipe2")!, to: Pipe2.self)

private func addChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ directory: String) -> Int32 {
    directory.withCString { addChdirSymbol(actions, $0) }
}

/// A close-on-exec pipe: (read end, write end).
func makePipe() throws -> (read: Int32, write: Int32) {
    var fds: [Int32] = [0, 0]
    guard pipe2Symbol(&fds, O_CLOEXEC) == 0 else { throw ChildProcessError.system("pipe2", errno) }
    return (fds[0], fds[1])
}

/// The environment of this test process without NO_COLOR, plus `overrides`.
func childEnvironment(_ overrides: [String: String] = [:]) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment
    environment.removeValue(forKey: "NO_COLOR")
    for (key, value) in overrides { environment[key] = value }
    return environment
}

/// Writes all of `data` to a descriptor, retrying short writes.
func writeAll(_ fd: Int32, _ data: Data) {
    data.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
