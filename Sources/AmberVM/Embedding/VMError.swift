/// Errors the VM raises to its embedder (not Wren runtime errors, which are `ScriptError`s).
public enum VMError: Error, Equatable {
    /// The heap's address space could not be reserved, or the heap cap (`-Xmx`) was reached.
    case outOfMemory
    /// The source did not compile; the compiler's messages, one per line.
    case compile(String)
    /// A script or the core library failed while running; the message.
    case runtime(String)
    /// A file or stream could not be read or written; what failed.
    case io(String)
}
