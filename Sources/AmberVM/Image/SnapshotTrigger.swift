@_spi(AmberInternals) import AmberObjects

// The `-snapshot:` trigger, built as two listeners on the hook interface
// (ARCHITECTURE.md, "The hook interface"): class load notices the trigger class and flags the
// methods whose signature matches; entry of a flagged method takes the
// snapshot when the trigger class defines it: a call on a subclass that
// inherits it, a `super` call and an operator method count too.

extension VM {
    /// Arms the trigger of `request`.
    public func installSnapshotTrigger(_ request: SnapshotRequest) {
        snapshotRequest = request
        hooks.register(.classLoad, priority: Int.max) { vm, payload in
            guard let req = vm.snapshotRequest, payload.className == req.triggerClass else { return }
            vm.triggerClassSeen = true
            for (id, name) in vm.symbolNames.enumerated() where req.matches(signature: name) {
                vm.watchedMethods.insert(id)
            }
        }
        hooks.register(.methodEntry, priority: Int.max) { vm, payload in
            guard !vm.snapshotTaken, let req = vm.snapshotRequest, let sig = payload.methodSignature,
                  let cls = payload.className, req.matches(signature: sig) else { return }
            // The class that defines the method, whatever the receiver's class.
            let owner = cls.hasSuffix(" metaclass") ? String(cls.dropLast(10)) : cls
            guard owner == req.triggerClass else { return }
            vm.snapshotTaken = true
            vm.watchedMethods.removeAll()
            vm.verbose("trigger \(req.trigger) entered (receiver: \(payload.receiverClassName ?? "?"))")
            let failure = req.dryRun ? vm.dryRunSnapshot() : vm.takeSnapshot(path: req.path, resume: .methodEntry)
            if let error = failure {
                vm.config.writeError("amber: snapshot failed: \(error)\n")
                if req.exitAfter {
                    vm.exitCode = 73     // EX_CANTCREAT: the image asked for was not written
                    _ = vm.fail("exit")
                }
                return
            }
            if !req.dryRun { vm.snapshotWritten = true }
            if req.exitAfter {
                vm.exitCode = 0
                _ = vm.fail("exit")
            }
        }
    }

    /// Why the armed trigger never fired, or nil if it did (or none was armed).
    public var unfiredTriggerReport: String? {
        guard let req = snapshotRequest, !snapshotTaken else { return nil }
        if !triggerClassSeen {
            return "snapshot trigger '\(req.trigger)' never fired: class \(req.triggerClass) was never defined"
        }
        return "snapshot trigger '\(req.trigger)' never fired: method \(req.triggerMethod) of \(req.triggerClass) was never called"
    }
}
