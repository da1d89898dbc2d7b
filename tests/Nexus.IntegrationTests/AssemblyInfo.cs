// The tests share one dev chain and some of them rewind it (evm_snapshot/evm_revert): run them one at a time.
// Each still has its own Marten schema, RabbitMQ virtual host and app ids.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
