using Nexus.ChainListener;
using Nexus.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddChainListener();
var app = builder.Build();
app.MapNexusDefaults();
return await app.RunNexusAsync();
