using Nexus.Executor;
using Nexus.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddExecutor();
var app = builder.Build();
app.MapNexusDefaults();
app.MapExecutorQueries();
return await app.RunNexusAsync();
