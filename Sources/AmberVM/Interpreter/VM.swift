#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(AmberInternals) import AmberObjects

// The virtual machine: one heap, its roots, and the Swift-side caches derived
// from them.
//
// Naming used throughout:
//   ObjRef    a typed heap offset (see Value.swift)
//   Value     a NaN-boxed value
//   VM        this class: owns the heap and everything the heap cannot hold
//             (output sinks, Swift closures, caches rebuilt after a collection)
//
// Everything a script can reach lives in the heap and hangs off the root block
// (`Root`), so a collection only has to trace from there, and an image only has
// to record where the root block is.

/// Configuration of a VM, set before it runs.
public struct VMConfiguration {
    /// Cap on live heap data (`-Xmx`).
    public var maxHeap: Int = 4 << 30
    /// Bytes new objects may fill before a young collection (`-Xmn`): the
    /// young space. Survivors are promoted to the old space.
    public var youngSize: Int = 4 << 20
    /// Directories searched by `import` after the importing module's directory.
    public var classpath: [String] = []
    /// Where `System.print` and `System.write` go.
    /// (Setting it sends output there instead of to `outputDescriptor`.)
    public var writeOutput: (String) -> Void = { s in VMConfiguration.writeAll(1, s) } {
        didSet { outputDescriptor = nil }
    }
    /// When set, script output goes to this descriptor as raw bytes (strings need not
    /// be valid UTF-8) instead of through `writeOutput`.
    public var outputDescriptor: Int32? = 1
    /// Where error reports go.
    public var writeError: (String) -> Void = { s in VMConfiguration.writeAll(2, s) }
    /// Process arguments as `Process.arguments` sees them (after the script path).
    public var arguments: [String] = []
    /// All arguments, as `Process.allArguments` sees them.
    public var allArguments: [String] = []
    /// The port library's implementations (clocks, environment, file system...).
    /// Replace a slot to sandbox or fake the OS; give the implementation a name
    /// of its own, and supply it again when restoring an image written with it.
    public var port = PortLibrary()
    /// Foreign methods and foreign classes the host implements.
    public var bindings = Bindings()
    /// Source for `import "name"`, consulted after the built-in modules and
    /// before the file system; nil lets the search go on.
    public var moduleLoader: ((String) -> String?)? = nil
    /// Allow the ffi module (`--allow-ffi`): scripts may call C code. Off by default.
    public var allowFFI = false
    /// With `allowFFI`, the only libraries `Library.open` may open (by path or
    /// file name; "process" admits `Library.process`); nil allows any (`--allow-ffi=a,b`).
    public var allowedLibraries: [String]? = nil
    /// Hooks of a host that binds and reports the way Wren's C API does (HostHooks.swift).
    package var hostHooks = HostHooks()
    /// Signed images restored with `verifyHeap: false`: heap chunks are
    /// checked against their digests when first touched, not all at restore
    /// (FirstTouchHeap.swift). Only for a process whose SIGSEGV handler asks
    /// the heaps in this registry first: the launcher's.
    package var firstTouchRegistry: FirstTouchRegistry? = nil
    /// Signs every image this VM writes, and is required of every image it is
    /// restored from: with a key, `VM.restore` refuses an unsigned image, one
    /// signed with another key, and one changed after it was signed
    /// (ImageSigning.swift). nil: images are neither signed nor checked.
    public var imageKey: ImageKey? = nil
    /// Debug: a collection at every Nth safe point (0: only when the heap
    /// asks). Defaults to `AMBER_GC_STRESS=N` from the environment.
    public var gcStress: Int = GCDebugDefaults.stress
    /// Debug: check the heap before and after every collection; a broken
    /// heap stops the process with a description of what is wrong.
    /// Defaults to true under `AMBER_GC_VERIFY=1`.
    public var verifyHeapAfterGC: Bool = GCDebugDefaults.verify
    /// The defaults: a 4 GiB heap cap, output to the process's standard
    /// streams, the system port library, no bindings, FFI off, no image key.
    public init() {}

    /// Writes all of `s` to a file descriptor through the system port, retrying short writes.
    @discardableResult
    public static func writeAll(_ fd: Int32, _ s: String) -> Result<Void, PortError> {
        var s = s
        return s.withUTF8 { writeAll(fd, UnsafeRawBufferPointer($0)) }
    }

    /// Writes all of `buf` to a file descriptor through the system port, retrying short writes.
    @discardableResult
    public static func writeAll(_ fd: Int32, _ buf: UnsafeRawBufferPointer) -> Result<Void, PortError> {
        systemStreamWrite(fd, buf)
    }
}

/// Indices of the root block's slots.
enum Root: Int, CaseIterable {
    case symbols            // List of method-name Strings, indexed by symbol id
    case modules            // Map: module name -> Module
    case currentFiber
    case coreModule
    case objectClass, classClass, boolClass, nullClass, numClass, stringClass
    case listClass, mapClass, rangeClass, fnClass, fiberClass, systemClass, sequenceClass
    case mapSequenceClass, whereSequenceClass, stringByteSequenceClass, stringCodePointSequenceClass
    case mapKeySequenceClass, mapValueSequenceClass, recordClass
    case handles            // List of values held by embedder handles
    case schedulerQueue     // List of fibers waiting in the scheduler (module timer)
    case hooks              // List: script hook registrations
    case pending            // scratch slot used by the collector
    case lastModule         // the module imported last (for importVariable)
    case savedFiber         // the interrupted fiber while snapshot hooks run
    case envFiles           // List of paths registered with Snapshot.registerRestoreEnvFile
    case immutableEnv       // Map: name -> fingerprint at snapshot (Num, or null when unset)
    case envReads           // Map: name -> fingerprint of what the program read with Process.env
    case envHashKey         // Num: the key of environment fingerprints
    case transients         // List of Snapshot.transient boxes (emptied before each snapshot)
    case nativeNames        // List of Strings: entry i names native id i (what method tables hold)
    case portSlots          // Map: port slot name -> implementation name (ARCHITECTURE.md, "The port library and natives by name")
    case hostCalls          // List of fibers interrupted by nested host calls (VM.call)
    case ffi                // List: the ffi module's registry of descriptions and state (FFI/FFIRuntime.swift)
    case envStrings         // List of strings read with Process.env, in an image only (EnvironmentStrings.swift)
    case cardStarts         // Bytes or null: an image's crossing map, for young collections after a restore (Heap/CardTable.swift)
    case preloadedModules   // Map: built-in module name -> Module loaded at build time, not yet imported (Loader/PreloadedModules.swift)
    case bootEnd            // Num or null: where the built-in core image's objects end; full collections never move them (Heap/Collector.swift)
}

/// Stops a VM's running script from outside (see `VM.interruptHandle`).
///
/// Any thread may use it, at any time: it sets atomic flags the VM's loop
/// reads at its safe points, and it keeps those flags alive itself, so using
/// it after its VM is gone does nothing.
public struct InterruptHandle: Sendable {
    let requests: SafePointRequests
    /// Asks the script to stop at its next safe point ("Interrupted.").
    public func interrupt() { requests.requestInterrupt() }
}

/// A virtual machine: one heap, its roots, and what the heap cannot hold.
///
/// A VM may be used by one thread at a time: create it on one thread and use
/// it from another, but never from two at once (the same for its handles).
/// Many VMs may run in one process, on as many threads; they share nothing.
public final class VM: @unchecked Sendable {
    package let heap: Heap
    /// The configuration the VM was made with (a restored VM: the one given to `restore`).
    public var config: VMConfiguration
    /// The root block (see `Root`); read by every `root()`/`setRoot()`.
    package var rootBlock: ObjRef {
        @inline(__always) get { hot.pointee.rootBlock }
        set { hot.pointee.rootBlock = newValue }
    }

    /// The state the interpreter loop and the natives read all the time.
    ///
    /// NOTE: it sits behind a `let` pointer instead of in stored `var`s
    /// because Swift checks exclusivity dynamically on every access to a
    /// stored `var` of a class (two runtime calls and a thread-local lookup).
    /// The computed properties below keep the familiar names. Measured on
    /// string_equals: see the commit that introduced it.
    struct HotState {
        var rootBlock = ObjRef.none
        // Core classes, cached from the root block; reloaded after every collection.
        var objectClass = ObjRef.none, classClass = ObjRef.none, boolClass = ObjRef.none
        var nullClass = ObjRef.none, numClass = ObjRef.none, stringClass = ObjRef.none
        var listClass = ObjRef.none, mapClass = ObjRef.none, rangeClass = ObjRef.none
        var fnClass = ObjRef.none, fiberClass = ObjRef.none, systemClass = ObjRef.none
        /// The fiber being run.
        var fiber = ObjRef.none
        /// The pending runtime error, set by natives that return false.
        var error = Value.null
        var hasError = false
        // Read on every entry into the interpreter (a C host's wrenCall);
        // here, behind a pointer, they cost no dynamic exclusivity check.
        var output: [UInt8] = []
        var nativeTable: [Native] = []
        var objectEqualityIDs: (equals: Value, notEquals: Value)? = nil
    }
    let hot: UnsafeMutablePointer<HotState> = {
        let p = UnsafeMutablePointer<HotState>.allocate(capacity: 1)
        p.initialize(to: HotState())
        return p
    }()

    var objectClass: ObjRef { @inline(__always) get { hot.pointee.objectClass } set { hot.pointee.objectClass = newValue } }
    var classClass: ObjRef { @inline(__always) get { hot.pointee.classClass } set { hot.pointee.classClass = newValue } }
    var boolClass: ObjRef { @inline(__always) get { hot.pointee.boolClass } set { hot.pointee.boolClass = newValue } }
    var nullClass: ObjRef { @inline(__always) get { hot.pointee.nullClass } set { hot.pointee.nullClass = newValue } }
    var numClass: ObjRef { @inline(__always) get { hot.pointee.numClass } set { hot.pointee.numClass = newValue } }
    var stringClass: ObjRef { @inline(__always) get { hot.pointee.stringClass } set { hot.pointee.stringClass = newValue } }
    var listClass: ObjRef { @inline(__always) get { hot.pointee.listClass } set { hot.pointee.listClass = newValue } }
    var mapClass: ObjRef { @inline(__always) get { hot.pointee.mapClass } set { hot.pointee.mapClass = newValue } }
    var rangeClass: ObjRef { @inline(__always) get { hot.pointee.rangeClass } set { hot.pointee.rangeClass = newValue } }
    var fnClass: ObjRef { @inline(__always) get { hot.pointee.fnClass } set { hot.pointee.fnClass = newValue } }
    var fiberClass: ObjRef { @inline(__always) get { hot.pointee.fiberClass } set { hot.pointee.fiberClass = newValue } }
    var systemClass: ObjRef { @inline(__always) get { hot.pointee.systemClass } set { hot.pointee.systemClass = newValue } }
    /// The fiber being run. A fiber that runs is remembered (its header's
    /// card dirtied): the next young collection scans its stack, which is
    /// written without a barrier (Heap.rememberFiber).
    var fiber: ObjRef {
        @inline(__always) get { hot.pointee.fiber }
        set {
            hot.pointee.fiber = newValue
            if !newValue.isNone { heap.rememberFiber(newValue) }
        }
    }
    /// The pending runtime error, set by natives that return false.
    var error: Value { @inline(__always) get { hot.pointee.error } set { hot.pointee.error = newValue } }
    var hasError: Bool { @inline(__always) get { hot.pointee.hasError } set { hot.pointee.hasError = newValue } }

    /// Method name -> symbol id. The heap's symbol list is the truth; this is its index (SymbolIndex.swift).
    var symbolIndex = SymbolIndex()
    /// Set when `Process.exit` or a fatal condition ends the run.
    var exitCode: Int32? = nil
    /// Buffered output of System.print/write, flushed at newlines and at the end of a run.
    var output: [UInt8] {
        @inline(__always) get { hot.pointee.output }
        _modify { yield &hot.pointee.output }
    }
    /// The first failure writing script output to its descriptor (a full disk,
    /// a closed pipe); later output is dropped. The launcher exits non-zero.
    public internal(set) var outputError: PortError? = nil
    /// The port library (ARCHITECTURE.md, "The port library and natives by name"): the slots this VM is bound to.
    public internal(set) var port: PortLibrary
    /// Where the VM's monotonic clock starts, on the port's raw clock (moved
    /// back on restore so that frozen time does not count).
    var clockStart = 0.0
    /// Descriptors of the io module's open files (Module+IO.swift).
    var ioTableStorage: IOTable? = nil
    /// Host calls (`call`) running now, nested in each other.
    var hostCallDepth = 0
    /// Which thread is inside the VM, and how many entries deep (ThreadOwnership.swift).
    let ownership = VMOwnership()
    var entryDepth = 0
    /// Bodies of `ForeignBytes.withUnsafeMutableBytes` running now: host calls are refused meanwhile.
    var pinnedForeignBytes = 0
    /// The stack trace of the last uncaught error inside a host call.
    var hostErrorTrace: [String]? = nil
    /// Compile errors of modules imported inside the current host call.
    var hostCompileErrors: [String] = []
    /// This VM's heap while it is checked on first touch (FirstTouchHeap.swift).
    var firstTouchHeap: FirstTouchHeap? = nil
    /// Reusable entries of the handle list, and its incarnation (bumped on restore).
    var freeHandleSlots: [Int] = []
    var handleEpoch = 0
    /// Where relative module names are resolved: the writer's working directory
    /// for a restored VM (it may run elsewhere), else nil (this process's).
    var moduleBaseDirectory: String? = nil
    /// Variables set for this VM by restore env files (never the process's).
    var environmentOverlay: [[UInt8]: [UInt8]] = [:]
    /// The hook interface (ARCHITECTURE.md, "The hook interface").
    public let hooks = HookInterface()
    /// This process's natives (see Natives.swift): every native this binary
    /// and the host offer, by name, and the table the interpreter indexes.
    var natives = NativeRegistry()
    /// The side table of natives the heap's method tables refer to: entry i
    /// is the function named by entry i of the heap's native-name list.
    /// Per process, never in the image.
    var nativeTable: [Native] {
        @inline(__always) get { hot.pointee.nativeTable }
        _modify { yield &hot.pointee.nativeTable }
    }
    /// Entries of `nativeTable` not bound yet (true): natives of preloaded
    /// modules no program imported, by id (Loader/PreloadedModules.swift).
    var pendingNatives: [Bool] = []
    /// Symbols of methods whose entry fires the method-entry hook.
    var watchedMethods: Set<Int> = []
    /// Modules compiled into the VM (meta, random, os, timer, ...), by name.
    var builtinModules: [String: BuiltinModule] = [:]
    // Snapshot and restore state (Image/).
    /// What `-snapshot:` asked for, if anything.
    public var snapshotRequest: SnapshotRequest?
    /// Whether the trigger class was defined / the snapshot was taken.
    package var triggerClassSeen = false
    package var snapshotTaken = false
    /// The `-snapshot:` trigger fired and the image was written.
    public internal(set) var snapshotWritten = false
    /// Report snapshot phases on stderr (`-verbose:snapshot`).
    public var verboseSnapshot = false
    /// Cache of `objectEqualityNatives`.
    var objectEqualityIDs: (equals: Value, notEquals: Value)? {
        @inline(__always) get { hot.pointee.objectEqualityIDs }
        set { hot.pointee.objectEqualityIDs = newValue }
    }
    /// `-verbose:gc`: one line on stderr per collection (kind, bytes before and after, pause).
    public var verboseGC = false
    var snapshotInProgress = false
    /// Why the heap cannot be collected: a restored image's object headers
    /// failed the check before its first full collection (OldRegionCheck.swift).
    var heapCorruption: String? = nil
    /// The end of a restored image's objects whose headers no full
    /// collection has checked yet (OldRegionCheck.swift); firstObject once checked.
    var uncheckedOldEnd = Heap.firstObject
    /// Depth of Swift-level runs nested inside the dispatch loop (snapshot hooks).
    var nestedRuns = 0
    /// This VM was restored from an image; how many restores lie behind it.
    public internal(set) var restored = false
    /// How many restores lie behind this VM: 0 for one that started from source.
    public internal(set) var generation = 0
    /// Seconds the image this VM came from lay frozen.
    public internal(set) var downtime = 0.0
    var resumeKind = ResumeKind.methodEntry
    /// Size of the metadata sections of the last image written (for -verbose:snapshot).
    var lastMetadataSize = 0
    /// Number of collections so far.
    public internal(set) var collections = 0
    /// How many of them were full collections.
    public internal(set) var fullCollections = 0
    /// Stress mode (Collector+Debug.swift): collect at every Nth safe point;
    /// 0 while off (and while the core library is built).
    var gcStressInterval = 0
    var stressTicks = 0
    /// `System.gc()` asked for the next safe point's collection.
    var collectionAsked = false
    /// Where a restored image's crossing map lies in the heap, and how many
    /// cards it covers (0: none; CardTable.swift).
    var imageCrossingOffset = 0
    var imageCrossingCards = 0
    /// The FFI side table: dlopen handles, symbols, cifs, closures (never in the heap).
    let ffi = FFIRuntime()
    /// The slot API's state: where slots are, foreign finalizers (SlotAPI.swift).
    package let slotAPI = SlotAPIState()
    /// Where the core library came from: the built-in image, or compiled (and why).
    /// A restored VM's came with its image.
    package internal(set) var coreLibrary = CoreLibrarySource.restoredImage
    /// The start of the heap's range mapped from the program's file, if it is (BuiltinCoreImage.swift).
    var coreImageMapping: (at: UnsafeMutableRawPointer, length: Int)? = nil
    /// Seconds spent getting the core library (`-verbose:startup`).
    package internal(set) var coreBootSeconds = 0.0

    /// A VM with the core library loaded, ready to `interpret`. Throws
    /// `VMError.outOfMemory` when the heap's address space cannot be reserved.
    public convenience init(configuration: VMConfiguration = VMConfiguration()) throws {
        try self.init(configuration: configuration, bootstrap: true)
    }

    /// With `bootstrap: false` the heap stays empty: a restore maps an image
    /// there and then binds the natives by name (see Restorer.swift). With
    /// `bootstrap: true` the core library comes from `coreImage`, or is
    /// compiled when that cannot be used (BuiltinCoreImage.swift).
    init(configuration: VMConfiguration, bootstrap: Bool, coreImage: CoreImageChoice = .linked) throws {
        self.config = configuration
        self.port = configuration.port
        // A built-in image mapped from the program's file needs the heap's base
        // at the file's page offset (BuiltinCoreImage.swift).
        let mapping = bootstrap ? VM.mappableCoreImage(coreImage) : nil
        do { heap = try Heap(maxHeap: configuration.maxHeap, baseOffset: mapping?.baseOffset ?? 0) } catch {
            throw VMError.outOfMemory
        }
        heap.youngSize = max(64 << 10, min(configuration.youngSize, configuration.maxHeap))
        clockStart = port.monotonicClock()
        registerNatives()
        if !bootstrap {
            gcStressInterval = configuration.gcStress
            return
        }
        try bootCore(from: coreImage, mapping: mapping)
        recordPortSlots()
        // Young collections and stress start once the core library is built
        // (its bootstrap keeps heap offsets in Swift locals across runs of
        // the prelude; the heap's first threshold, 16 MB, is far above it).
        heap.nextGC = min(heap.top + heap.youngSize, max(Heap.firstObject + heap.maxHeap, heap.top + (1 << 20)))
        heap.fullThreshold = max(heap.used + max(heap.used, 2 * heap.youngSize), oldSpaceFloor)
        gcStressInterval = configuration.gcStress
        rearmCollectionRequest()
    }

    deinit {
        // Foreign instances still alive get their host's finalizer (once: a C
        // host's wrenFreeVM has already run them and cleared the table).
        apiFinalizeAll()
        if let firstTouchHeap { config.firstTouchRegistry?.remove(firstTouchHeap) }
        hot.deinitialize(count: 1)
        hot.deallocate()
    }

    /// A handle that stops the running script at its next safe point (a call
    /// or a loop back-edge) with the runtime error "Interrupted.". Another
    /// thread may use it (the REPL's Ctrl-C does, from a signal handler), even
    /// after the VM is gone.
    public var interruptHandle: InterruptHandle { InterruptHandle(requests: heap.safePoints) }

    /// Forgets an interrupt that arrived while no script was running.
    public func clearInterrupt() {
        _ = heap.safePoints.takeInterrupt()
        rearmCollectionRequest()
    }

    /// The work of a safe point, once the loop saw `gcRequested`: an
    /// interrupt becomes a runtime error, else the heap is collected.
    /// False with an error pending.
    func safePoint() -> Bool {
        if heap.safePoints.takeInterrupt() {
            rearmCollectionRequest()
            return fail("Interrupted.")
        }
        if heap.gcRequested {
            if !shouldCollectAtSafePoint() { return true }
            if !collectGarbage() { return fail(heapCorruption ?? "Out of memory.") }
        }
        return true
    }

    /// The VM's monotonic clock: seconds since the VM started, excluding time frozen in an image.
    func monotonicSeconds() -> Double { port.monotonicClock() - clockStart }

    @inline(__always) func root(_ r: Root) -> Value { heap[rootBlock, ArrayLayout.first + r.rawValue] }
    @inline(__always) func setRoot(_ r: Root, _ v: Value) { heap[rootBlock, ArrayLayout.first + r.rawValue] = v }

    /// Re-reads every Swift-side cache of heap offsets; called after objects move.
    func reloadRoots() {
        objectClass = root(.objectClass).ref; classClass = root(.classClass).ref
        boolClass = root(.boolClass).ref; nullClass = root(.nullClass).ref
        numClass = root(.numClass).ref; stringClass = root(.stringClass).ref
        listClass = root(.listClass).ref; mapClass = root(.mapClass).ref
        rangeClass = root(.rangeClass).ref; fnClass = root(.fnClass).ref
        fiberClass = root(.fiberClass).ref; systemClass = root(.systemClass).ref
        fiber = root(.currentFiber).isObject ? root(.currentFiber).ref : .none
    }

    // MARK: Symbols: SymbolIndex.swift

    // MARK: Errors

    /// Records a runtime error message for the running fiber; natives `return vm.fail(...)`.
    @inline(never)
    func fail(_ message: String) -> Bool {
        error = newString(message).value
        hasError = true
        return false
    }

    @inline(never)
    func fail(value: Value) -> Bool {
        error = value
        hasError = true
        return false
    }

    /// The class of any value.
    @inline(__always) func classOf(_ v: Value) -> ObjRef {
        if v.isNumber { return numClass }
        if v.isObject { return heap.classOf(v.ref) }
        if v.isNull { return nullClass }
        if v.isBool { return boolClass }
        return nullClass
    }
}
