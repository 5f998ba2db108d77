/// Told when a task has exited and is reaped (the kernel's `delayed_put_task_struct`), so layers above can
/// release what they keep per task (kretprobe instances of calls that never returned).
public protocol TaskObserver: AnyObject {
    func taskReaped(_ task: KernelTask, machine: Machine)
}
