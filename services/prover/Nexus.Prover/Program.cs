using Nexus.Hosting;
using Nexus.Prover;

var builder = WebApplication.CreateBuilder(args);
builder.AddProver();
var app = builder.Build();
app.MapNexusDefaults();
app.MapProver();
return await app.RunNexusAsync();
