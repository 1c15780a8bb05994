import Foundation

/// Ctrl-C during an interview: print a prepared message and leave with status 130. The message is kept as bytes so
/// that the handler only calls write(2) and _exit(2), which are safe inside a signal handler.
enum Interruption {
    nonisolated(unsafe) static var message: [UInt8] = []

    static func install(message text: String) {
        message = Array(text.utf8)
        // A parent may have started pantau with SIGINT blocked (the mask is inherited): Ctrl-C must still reach it.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigprocmask(SIG_UNBLOCK, &set, nil)
        signal(SIGINT) { _ in
            Interruption.message.withUnsafeBufferPointer { bytes in _ = write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
            _exit(130)
        }
    }
}
