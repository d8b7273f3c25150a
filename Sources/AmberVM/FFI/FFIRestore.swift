@_spi(AmberInternals) import AmberObjects

// Rebuilding the FFI side table after a restore (ARCHITECTURE.md, "The image"
// and "Foreign functions").
//
// The restored VM starts with an empty side table. Before any script code
// runs (Restorer.swift calls this right after the natives are fixed up),
// every description in the heap's registry is built again, in order, so
// entry i of the side table matches description i again: libraries are
// reopened by path, symbols resolved by name in this process, call
// interfaces prepared, callbacks' closures allocated. A library or symbol
// that is gone fails the restore with its name.

extension VM {
    /// Rebuilds the side table from the image's registry. Throws when the
    /// image uses the ffi module and this VM does not allow it, or when an
    /// entry cannot be built.
    func ffiRebuildAfterRestore(imagePath path: String) throws(ImageError) {
        guard let state = ffiState() else { return }
        guard config.allowFFI else {
            throw ImageError("Image '\(path)' uses the ffi module: restore it with --allow-ffi (hosts: VMConfiguration.allowFFI).")
        }
        let t0 = port.monotonicClock()
        let registry = listGet(state, 0).ref
        var libraries = 0, symbols = 0, callbacks = 0
        for i in 0..<listCount(registry) {
            let d = listGet(registry, i)
            guard d.isObject, heap.kind(d.ref) == .list else {
                throw ImageError("Image '\(path)' is corrupted (FFI registry entry \(i)).")
            }
            let entry: FFIEntry
            do throws(FFIError) { entry = try ffiBuild(d.ref, index: i) } catch {
                throw ImageError("Image '\(path)': \(error.message)")
            }
            switch entry {
            case .library: libraries += 1
            case .function: symbols += 1
            case .callback: callbacks += 1
            case .structure: break
            }
            ffi.entries.append(entry)
        }
        // No fiber is inside a callback in an image (snapshots refuse then).
        listSet(state, 3, .null)
        ffiTrackGeneration()
        verbose("ffi: \(libraries) libraries reopened, \(symbols) symbols re-resolved, \(callbacks) callbacks re-created, \(ms(port.monotonicClock() - t0))")
    }
}
