@_spi(AmberInternals) import AmberObjects

// Module "io": Wren CLI's File, FileFlags, Stat, Directory, Stdin and Stdout
// classes, with Wren CLI's messages, plus Stderr.
//
// Operations run synchronously through the port library (`vm.port.files`),
// but each one that Wren CLI runs asynchronously first lets the fibers
// waiting in the scheduler run (`File.wait_()`), so scripts see the same
// interleaving as under Wren CLI's event loop.
//
// Files across a snapshot. A File is an ordinary instance whose fields
// describe it, not a handle to this process:
//
//     field  0 _path        absolute path (the working directory joined in at open)
//            1 _flags       the FileFlags bits it was opened with
//            2 _position    offset just past the last read or write
//            3 _slot        key of its descriptor in this process's table; -1 once closed
//            4 _generation  vm.generation when that descriptor was opened
//            5 _device      the file's device and inode when opened: a reopen after a
//            6 _inode       restore checks that the path still names the same file
//            7 _acceptReplacement  true: a different file at the path is used instead
//
// The descriptor itself lives in a per-VM, per-process side table (`VM.ioTable`),
// never in the heap. A VM restored from an image has a higher generation
// than any File in it, so the first use of such a File reopens its path with
// its flags less create/truncate/exclusive (a restore must not destroy data),
// seeks to the recorded position and records the new slot and generation. If
// the path cannot be opened any more, the use fails with "File 'PATH' was
// open when the image was written and could not be reopened: REASON." and
// the File stays as it was (a later use tries again; close() just marks it
// closed). A stale descriptor number is never used.
//
// Standard streams are descriptors 0, 1 and 2 of the port's standardStreams
// slot; what Stdin has read ahead is kept by that port (`StandardInput`),
// never in the heap, so a restored process reads its own input. Stdin.isRaw
// is kept in the heap and applied to this process's terminal before each read.
//
// Not done: a File that becomes garbage while open keeps its descriptor until
// the process ends (Wren CLI closes it in a finalizer; Amber has none).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension VM {
    static let ioModuleSource = #"""
    import "scheduler" for Scheduler

    class Directory {
      static ensureString_(path) {
        if (!(path is String)) Fiber.abort("Path must be a string.")
      }

      static create(path) {
        ensureString_(path)
        File.wait_()
        return create_(path)
      }

      static delete(path) {
        ensureString_(path)
        File.wait_()
        return delete_(path)
      }

      static exists(path) {
        ensureString_(path)
        File.wait_()
        return exists_(path)
      }

      static list(path) {
        ensureString_(path)
        File.wait_()
        return list_(path)
      }

      foreign static create_(path)
      foreign static delete_(path)
      foreign static exists_(path)
      foreign static list_(path)
    }

    class File {
      // Natives read these fields by index: keep them first, in this order.
      construct new_(path, flags) {
        _path = path
        _flags = flags
        _position = 0
        _slot = -1
        _generation = -1
        _device = -1
        _inode = -1
        _acceptReplacement = false
        open_()
      }

      // Whether a restored process may use another file found at this path.
      acceptReplacement { _acceptReplacement }
      acceptReplacement=(value) { _acceptReplacement = value == true }

      static create(path) {
        return openWithFlags(path,
            FileFlags.writeOnly |
            FileFlags.create |
            FileFlags.truncate)
      }

      static create(path, fn) {
        return openWithFlags(path,
            FileFlags.writeOnly |
            FileFlags.create |
            FileFlags.truncate, fn)
      }

      static delete(path) {
        ensureString_(path)
        wait_()
        delete_(path)
      }

      static exists(path) {
        ensureString_(path)
        wait_()
        return exists_(path)
      }

      static open(path) { openWithFlags(path, FileFlags.readOnly) }

      static open(path, fn) { openWithFlags(path, FileFlags.readOnly, fn) }

      static openWithFlags(path, flags) {
        ensureString_(path)
        ensureInt_(flags, "Flags")
        wait_()
        return new_(path, flags)
      }

      static openWithFlags(path, flags, fn) {
        var file = openWithFlags(path, flags)
        var fiber = Fiber.new { fn.call(file) }

        // Poor man's finally.
        var result = fiber.try()
        file.close()

        if (fiber.error != null) Fiber.abort(fiber.error)
        return result
      }

      static read(path) {
        return File.open(path) {|file| file.readBytes(file.size) }
      }

      static realPath(path) {
        ensureString_(path)
        wait_()
        return realPath_(path)
      }

      static size(path) {
        ensureString_(path)
        wait_()
        return sizePath_(path)
      }

      close() {
        if (isOpen == false) return
        wait_()
        close_()
      }

      foreign descriptor

      isOpen { _slot is Num && _slot >= 0 }

      size {
        ensureOpen_()
        wait_()
        return size_()
      }

      stat {
        ensureOpen_()
        wait_()
        return Stat.new_(stat_())
      }

      readBytes(count) { readBytes(count, 0) }

      readBytes(count, offset) {
        ensureOpen_()
        File.ensureInt_(count, "Count")
        File.ensureInt_(offset, "Offset")
        wait_()
        return readBytes_(count, offset)
      }

      writeBytes(bytes) { writeBytes(bytes, size) }

      writeBytes(bytes, offset) {
        ensureOpen_()
        if (!(bytes is String)) Fiber.abort("Bytes must be a string.")
        File.ensureInt_(offset, "Offset")
        wait_()
        writeBytes_(bytes, offset)
      }

      ensureOpen_() {
        if (!isOpen) Fiber.abort("File is not open.")
      }

      wait_() { File.wait_() }

      static ensureString_(path) {
        if (!(path is String)) Fiber.abort("Path must be a string.")
      }

      static ensureInt_(value, name) {
        if (!(value is Num)) Fiber.abort("%(name) must be an integer.")
        if (!value.isInteger) Fiber.abort("%(name) must be an integer.")
        if (value < 0) Fiber.abort("%(name) cannot be negative.")
      }

      // Where Wren CLI waits for the event loop: the scheduled fibers run
      // first, then this fiber goes on.
      static wait_() {
        if (schedulerIdle_()) return
        var fiber = Fiber.current
        Scheduler.add { fiber.transfer() }
        Scheduler.runNextScheduled_()
      }

      foreign static schedulerIdle_()
      foreign static delete_(path)
      foreign static exists_(path)
      foreign static realPath_(path)
      foreign static sizePath_(path)

      foreign open_()
      foreign close_()
      foreign readBytes_(count, offset)
      foreign size_()
      foreign stat_()
      foreign writeBytes_(bytes, offset)
    }

    class FileFlags {
      static readOnly  { 0x01 }
      static writeOnly { 0x02 }
      static readWrite { 0x04 }
      static sync      { 0x08 }
      static create    { 0x10 }
      static truncate  { 0x20 }
      static exclusive { 0x40 }
    }

    class Stat {
      construct new_(fields) { _fields = fields }

      static path(path) {
        if (!(path is String)) Fiber.abort("Path must be a string.")
        File.wait_()
        return Stat.new_(path_(path))
      }

      foreign static path_(path)

      blockCount    { _fields[0] }
      blockSize     { _fields[1] }
      device        { _fields[2] }
      group         { _fields[3] }
      inode         { _fields[4] }
      linkCount     { _fields[5] }
      mode          { _fields[6] }
      size          { _fields[7] }
      specialDevice { _fields[8] }
      user          { _fields[9] }

      isFile        { _fields[10] }
      isDirectory   { _fields[11] }
    }

    class Stdin {
      static isRaw { __isRaw == true }
      static isRaw=(value) {
        __isRaw = value ? true : false
        setRaw_(__isRaw)
      }
      foreign static isTerminal

      static readByte() { read_(0) }
      static readLine() { read_(1) }

      // Returns what is already read ahead; otherwise lets the scheduled
      // fibers run, then waits for input.
      static read_(kind) {
        setRaw_(__isRaw == true)
        var result = take_(kind, false)
        if (result != null) return result
        File.wait_()
        return take_(kind, true)
      }

      foreign static setRaw_(raw)
      foreign static take_(kind, wait)
    }

    class Stdout {
      foreign static flush()
    }

    class Stderr {
      static print() { writeString_("\n") }
      static print(object) {
        write(object)
        writeString_("\n")
        return object
      }
      static write(object) {
        var string = object.toString
        writeString_(string is String ? string : "[invalid toString]")
        return object
      }

      foreign static writeString_(string)
    }
    """#

    func registerIOModule() {
        registerBuiltinModule("io", source: VM.ioModuleSource)
        registerIOFileNatives()
        registerIOPathNatives()
        registerIOStreamNatives()
    }

    // MARK: File objects

    private func registerIOFileNatives() {
        foreign("io.File.open_()") { vm, a in
            let f = vm.heap.slotPointer(a[0].ref)
            if f[IOField.slot].isNumber && f[IOField.slot].number >= 0 { return vm.fail("File is already open.") }
            guard var path = vm.ioPath(f[IOField.path]), let bits = vm.ioInt(f[IOField.flags], "Flags") else {
                return false
            }
            if path.first != UInt8(ascii: "/"), let cwd = vm.port.workingDirectory() {
                path = cwd + (cwd.last == UInt8(ascii: "/") ? [] : [UInt8(ascii: "/")]) + path
            }
            switch vm.port.fileSystem.open(path, VM.fileFlags(bits)) {
            case .failure(let e): return vm.fail(e.message)
            case .success(let fd):
                let slot = vm.ioTable.add(fd)
                vm.heap.store(vm.newString(bytes: path).value, at: f + IOField.path)
                f[IOField.slot] = Value(slot)
                f[IOField.generation] = Value(vm.generation)
                if case .success(let st) = vm.port.fileSystem.fstat(fd) {
                    f[IOField.device] = Value(st.device)
                    f[IOField.inode] = Value(st.inode)
                }
                return vm.ret(a, a[0])
            }
        }
        foreign("io.File.descriptor") { vm, a in
            let f = vm.heap.slotPointer(a[0].ref)
            guard f[IOField.slot].isNumber, f[IOField.slot].number >= 0 else { return vm.ret(a, Value(-1)) }
            guard let fd = vm.fileDescriptor(a[0].ref) else { return false }
            return vm.ret(a, Value(Int(fd)))
        }
        foreign("io.File.close_()") { vm, a in
            let f = vm.heap.slotPointer(a[0].ref)
            let slot = f[IOField.slot]
            guard slot.isNumber, slot.number >= 0 else { return vm.ret(a, .null) }
            f[IOField.slot] = Value(-1)
            // A File from an image has no descriptor in this process: nothing to close.
            guard f[IOField.generation].number == Double(vm.generation),
                  let fd = vm.ioTable.remove(Int(slot.number)) else { return vm.ret(a, .null) }
            if case .failure(let e) = vm.port.fileSystem.close(fd) { return vm.fail(e.message) }
            return vm.ret(a, .null)
        }
        foreign("io.File.readBytes_(_,_)") { vm, a in
            guard let fd = vm.fileDescriptor(a[0].ref) else { return false }
            guard let count = vm.ioInt(a[1], "Count"), let offset = vm.ioInt(a[2], "Offset") else { return false }
            switch vm.port.fileSystem.read(fd, count, offset) {
            case .failure(let e): return vm.fail(e.message)
            case .success(let bytes):
                guard bytes.count < Int(UInt32.max), vm.heap.canAllocate(bytes.count + 64) else {
                    return vm.fail("Out of memory.")
                }
                vm.heap.slotPointer(a[0].ref)[IOField.position] = Value(Double(offset + bytes.count))
                return vm.ret(a, vm.newString(bytes: bytes).value)
            }
        }
        foreign("io.File.writeBytes_(_,_)") { vm, a in
            guard let fd = vm.fileDescriptor(a[0].ref) else { return false }
            guard vm.isString(a[1]) else { return vm.fail("Bytes must be a string.") }
            guard let offset = vm.ioInt(a[2], "Offset") else { return false }
            let bytes = vm.stringBuffer(a[1].ref)
            // A system call is given heap bytes: their chunks are checked first (FirstTouchHeap.swift).
            if vm.firstTouchHeap != nil { FirstTouchHeap.touch(bytes) }
            if case .failure(let e) = vm.port.fileSystem.write(fd, bytes, offset) { return vm.fail(e.message) }
            vm.heap.slotPointer(a[0].ref)[IOField.position] = Value(Double(offset + bytes.count))
            return vm.ret(a, .null)
        }
        foreign("io.File.size_()") { vm, a in
            guard let fd = vm.fileDescriptor(a[0].ref) else { return false }
            switch vm.port.fileSystem.fstat(fd) {
            case .failure(let e): return vm.fail(e.message)
            case .success(let s): return vm.ret(a, Value(s.size))
            }
        }
        foreign("io.File.stat_()") { vm, a in
            guard let fd = vm.fileDescriptor(a[0].ref) else { return false }
            switch vm.port.fileSystem.fstat(fd) {
            case .failure(let e): return vm.fail(e.message)
            case .success(let s): return vm.ret(a, vm.statFields(s))
            }
        }
    }

    /// The descriptor behind an open File in this process, reopening the
    /// file first when it came from an image; nil with an error set.
    func fileDescriptor(_ file: ObjRef) -> Int32? {
        let f = heap.slotPointer(file)
        let slot = f[IOField.slot]
        guard slot.isNumber, slot.number >= 0 else {
            _ = fail("File is not open.")
            return nil
        }
        let table = ioTable
        if f[IOField.generation].number == Double(generation), let fd = table.descriptors[Int(slot.number)] {
            return fd
        }
        // Opened by an earlier process: reopen it without creating or truncating.
        guard isString(f[IOField.path]), f[IOField.flags].isNumber, f[IOField.flags].number.isFinite else {
            _ = fail("File is not open.")
            return nil
        }
        let path = Array(stringBuffer(f[IOField.path].ref))
        let flags = VM.fileFlags(Int(max(0, min(f[IOField.flags].number, 4e18))))
            .subtracting([.create, .truncate, .exclusive])
        let reopened = port.fileSystem.open(path, flags)
        guard case .success(let fd) = reopened else {
            if case .failure(let e) = reopened {
                _ = fail("File '\(String(decoding: path, as: UTF8.self))' was open when the image was written "
                         + "and could not be reopened: \(e.message).")
            }
            return nil
        }
        // The same file? Another one at the path (other device or inode), or
        // one shorter than where the program had got to (a file rewritten in
        // place, or a new one that reused the inode number), is refused
        // unless accepted. A file that only grew is the same file appended to.
        let position = f[IOField.position].isNumber ? f[IOField.position].number : 0
        if f[IOField.acceptReplacement] != .true, case .success(let st) = port.fileSystem.fstat(fd),
           f[IOField.device].isNumber, f[IOField.inode].isNumber, f[IOField.device].number >= 0 {
            let moved = st.device != f[IOField.device].number || st.inode != f[IOField.inode].number
            if moved || st.size < position {
                _ = port.fileSystem.close(fd)
                _ = fail("File '\(String(decoding: path, as: UTF8.self))' was replaced since the snapshot ("
                         + (moved ? "another file is at its path" : "it is shorter than when the image was written")
                         + "); set acceptReplacement to true to use it.")
                return nil
            }
        }
        if case .success(let st) = port.fileSystem.fstat(fd) {
            f[IOField.device] = Value(st.device)
            f[IOField.inode] = Value(st.inode)
        }
        if case .failure(let e) = port.fileSystem.seek(fd, position >= 0 && position < 9.2e18 ? Int(position) : 0) {
            _ = port.fileSystem.close(fd)
            _ = fail("File '\(String(decoding: path, as: UTF8.self))' was open when the image was written "
                     + "and could not be reopened: \(e.message).")
            return nil
        }
        f[IOField.slot] = Value(table.add(fd))
        f[IOField.generation] = Value(generation)
        return fd
    }

    /// Whether no fiber waits in the scheduler (module "scheduler"), so that
    /// `File.wait_` has nobody to let run. The queue is the static field
    /// `__queue` of class Scheduler, a module variable named
    /// `"Scheduler#N __queue"`; if it cannot be found, the answer is false and
    /// `wait_` takes the general path.
    func schedulerIdle() -> Bool {
        let table = ioTable
        if table.queueVariable == nil || table.queueVariable!.collections != collections {
            table.queueVariable = nil
            guard let m = mapGet(root(.modules).ref, newString("scheduler").value), m.isObject else { return false }
            let names = heap[m.ref, ModuleLayout.variableNames].ref
            for i in 0..<listCount(names) {
                let name = string(listGet(names, i))
                if name.hasPrefix("Scheduler#") && name.hasSuffix(" __queue") {
                    table.queueVariable = (collections, m.ref, i)
                    break
                }
            }
        }
        guard let (_, module, index) = table.queueVariable else { return false }
        let queue = moduleVariableValue(module, index)
        if queue.isNull { return true }
        return queue.isObject && heap.kind(queue.ref) == .list && listCount(queue.ref) == 0
    }

    /// FileFlags bits from a non-negative integer (only the low seven bits mean anything).
    static func fileFlags(_ bits: Int) -> FileOpenFlags { FileOpenFlags(rawValue: bits & 0x7f) }

    /// A path argument as bytes; nil with Wren CLI's error set.
    func ioPath(_ v: Value) -> [UInt8]? {
        guard isString(v) else {
            _ = fail("Path must be a string.")
            return nil
        }
        return Array(stringBuffer(v.ref))
    }

    /// A count, offset or flags argument: a non-negative integer (saturating
    /// far beyond any file size); nil with Wren CLI's error set.
    func ioInt(_ v: Value, _ name: String) -> Int? {
        guard v.isNumber, v.number.isFinite, v.number == v.number.rounded(.towardZero) else {
            _ = fail("\(name) must be an integer.")
            return nil
        }
        guard v.number >= 0 else {
            _ = fail("\(name) cannot be negative.")
            return nil
        }
        return v.number >= 4e18 ? 1 << 62 : Int(v.number)
    }

    /// The list behind a Stat object, in the order its getters read.
    func statFields(_ s: FileStatus) -> Value {
        newList([Value(s.blockCount), Value(s.blockSize), Value(s.device), Value(s.group), Value(s.inode),
                 Value(s.linkCount), Value(s.mode), Value(s.size), Value(s.specialDevice), Value(s.user),
                 Value(s.isFile), Value(s.isDirectory)]).value
    }

    // MARK: Paths

    private func registerIOPathNatives() {
        foreign("io.File.static schedulerIdle_()") { vm, a in vm.ret(a, Value(vm.schedulerIdle())) }
        foreign("io.File.static delete_(_)") { vm, a in
            guard let path = vm.ioPath(a[1]) else { return false }
            if case .failure(let e) = vm.port.fileSystem.unlink(path) { return vm.fail(e.message) }
            return vm.ret(a, .null)
        }
        foreign("io.File.static exists_(_)") { vm, a in
            guard let path = vm.ioPath(a[1]) else { return false }
            guard case .success(let s) = vm.port.fileSystem.stat(path) else {
                return vm.ret(a, .false)
            }
            return vm.ret(a, Value(s.isFile))
        }
        foreign("io.File.static realPath_(_)") { vm, a in
            guard let path = vm.ioPath(a[1]) else { return false }
            switch vm.port.fileSystem.realPath(path) {
            case .failure(let e): return vm.fail(e.message)
            case .success(let path): return vm.ret(a, vm.newString(bytes: path).value)
            }
        }
        foreign("io.File.static sizePath_(_)") { vm, a in
            guard let path = vm.ioPath(a[1]) else { return false }
            switch vm.port.fileSystem.stat(path) {
            case .failure(let e): return vm.fail(e.message)
            case .success(let s): return vm.ret(a, Value(s.size))
            }
        }
        foreign("io.Stat.static path_(_)") { vm, a in
            guard let path = vm.ioPath(a[1]) else { return false }
            switch vm.port.fileSystem.stat(path) {
            case .failure(let e): return vm.fail(e.message)
            case .success(let s): return vm.ret(a, vm.statFields(s))
            }
        }
        foreign("io.Directory.static create_(_)") { vm, a in
            guard let path = vm.ioPath(a[1]) else { return false }
            if case .failure(let e) = vm.port.fileSystem.makeDirectory(path) {
                return vm.fail(e.message)
            }
            return vm.ret(a, .null)
        }
        foreign("io.Directory.static delete_(_)") { vm, a in
            guard let path = vm.ioPath(a[1]) else { return false }
            if case .failure(let e) = vm.port.fileSystem.removeDirectory(path) {
                return vm.fail(e.message)
            }
            return vm.ret(a, .null)
        }
        foreign("io.Directory.static exists_(_)") { vm, a in
            guard let path = vm.ioPath(a[1]) else { return false }
            guard case .success(let s) = vm.port.fileSystem.stat(path) else {
                return vm.ret(a, .false)
            }
            return vm.ret(a, Value(s.isDirectory))
        }
        foreign("io.Directory.static list_(_)") { vm, a in
            guard let path = vm.ioPath(a[1]) else { return false }
            switch vm.port.fileSystem.listDirectory(path) {
            case .failure(let e): return vm.fail(e.message)
            case .success(let names):
                // Byte order, as libuv's scandir sorts.
                let sorted = names.sorted { $0.lexicographicallyPrecedes($1) }
                return vm.ret(a, vm.newList(sorted.map { vm.newString(bytes: $0).value }).value)
            }
        }
    }

    // MARK: Standard streams

    private func registerIOStreamNatives() {
        foreign("io.Stdin.static isTerminal") { vm, a in vm.ret(a, Value(vm.port.standardStreams.isTerminal(0))) }
        foreign("io.Stdin.static setRaw_(_)") { vm, a in
            // Only a terminal has a raw mode; elsewhere the flag is just remembered.
            // The port skips the system call when the mode is already right.
            let streams = vm.port.standardStreams
            guard streams.isTerminal(0) else { return vm.ret(a, .null) }
            if case .failure(let e) = streams.setRawMode(0, !a[1].isFalsy) { return vm.fail(e.message) }
            return vm.ret(a, .null)
        }
        // kind 0: one byte; 1: one line without its "\n". With wait false,
        // null when not enough is read ahead.
        foreign("io.Stdin.static take_(_,_)") { vm, a in
            let streams = vm.port.standardStreams
            let read = streams.read
            switch streams.input.take(line: a[1].number == 1, wait: !a[2].isFalsy, read: { read(0, 4096) }) {
            case .none: return vm.ret(a, .null)
            case .byte(let b): return vm.ret(a, Value(Int(b)))
            case .line(let text): return vm.ret(a, vm.newString(bytes: text).value)
            case .closed: return vm.fail("Stdin was closed.")
            case .failed(let e): return vm.fail(e.message)
            }
        }
        foreign("io.Stdout.static flush()") { vm, a in
            vm.flushOutput()
            return vm.ret(a, .null)
        }
        foreign("io.Stderr.static writeString_(_)") { vm, a in
            guard vm.isString(a[1]) else { return vm.fail("Argument must be a string.") }
            // What went to stdout before comes first.
            vm.flushOutput()
            vm.config.writeError(String(decoding: vm.stringBuffer(a[1].ref), as: UTF8.self))
            return vm.ret(a, a[1])
        }
    }
}

/// Indices of a File object's fields (see the top of this file).
enum IOField {
    static let path = 0, flags = 1, position = 2, slot = 3, generation = 4
    static let device = 5, inode = 6, acceptReplacement = 7
}

/// The descriptors of one VM's File objects in this process.
final class IOTable {
    deinit { for fd in descriptors.values { _ = close(fd) } }
    weak var vm: VM?
    /// How to close what a VM left open when it went away.
    let close: (Int32) -> Result<Void, PortError>
    var descriptors: [Int: Int32] = [:]
    var nextSlot = 0
    /// Where the scheduler's queue is (see `schedulerIdle`), valid until the next collection.
    var queueVariable: (collections: Int, module: ObjRef, index: Int)?

    init(vm: VM) {
        self.vm = vm
        close = vm.port.fileSystem.close
    }

    func add(_ fd: Int32) -> Int {
        let slot = nextSlot
        nextSlot += 1
        descriptors[slot] = fd
        return slot
    }

    func remove(_ slot: Int) -> Int32? { descriptors.removeValue(forKey: slot) }
}

extension VM {
    /// This VM's descriptor table, made on first use. It belongs to the VM
    /// (no process-wide table), and what it holds is closed with the VM.
    var ioTable: IOTable {
        if let t = ioTableStorage { return t }
        let t = IOTable(vm: self)
        ioTableStorage = t
        return t
    }
}

/// What `Stdin` has read ahead from standard input through one port (its
/// `StreamPort.input`), so that VMs with ports of their own never mix input
/// and no process-wide buffer exists. Locked: VMs sharing a port may run on
/// several threads.
final class StandardInput: @unchecked Sendable {
    private let lock = PortLock()
    private var buffer: [UInt8] = []
    private var closed = false

    enum Taken {
        case none
        case byte(UInt8)
        case line([UInt8])
        case closed
        case failed(PortError)
    }

    /// One byte, or one line without its "\n", from what is read ahead; with
    /// `wait`, reads more (`read`) until there is enough or input ends; else
    /// `.none` when there is not enough yet.
    func take(line: Bool, wait: Bool, read: () -> Result<[UInt8], PortError>) -> Taken {
        lock.lock()
        defer { lock.unlock() }
        while true {
            if line, let nl = buffer.firstIndex(of: 10) {
                let text = Array(buffer[..<nl])
                buffer.removeSubrange(...nl)
                return .line(text)
            }
            if !line, !buffer.isEmpty { return .byte(buffer.removeFirst()) }
            if closed {
                // At the end of input a last unterminated line still counts.
                if buffer.isEmpty { return .closed }
                defer { buffer = [] }
                return .line(buffer)
            }
            if !wait { return .none }
            switch read() {
            case .failure(let e):
                if e.code == EAGAIN { continue }
                return .failed(e)
            case .success(let bytes):
                if bytes.isEmpty { closed = true } else { buffer += bytes }
            }
        }
    }
}
