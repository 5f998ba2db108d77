/// Told when a loaded object is about to be unloaded (the module notifier chain's MODULE_STATE_GOING), while its
/// text and symbols are still there. kernel: include/linux/module.h register_module_notifier.
public protocol ModuleObserver: AnyObject {
    func moduleGoing(_ object: LoadedObject, machine: Machine)
}
