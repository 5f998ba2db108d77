/// Told about loaded objects coming and going (the module notifier chain): `moduleComing` once an object is
/// loaded, its symbols in place (MODULE_STATE_COMING); `moduleGoing` before it is unloaded, while its text and
/// symbols are still there (MODULE_STATE_GOING). kernel: include/linux/module.h register_module_notifier.
public protocol ModuleObserver: AnyObject {
    func moduleComing(_ object: LoadedObject, machine: Machine)
    func moduleGoing(_ object: LoadedObject, machine: Machine)
}

extension ModuleObserver {
    public func moduleComing(_ object: LoadedObject, machine: Machine) {}
    public func moduleGoing(_ object: LoadedObject, machine: Machine) {}
}
