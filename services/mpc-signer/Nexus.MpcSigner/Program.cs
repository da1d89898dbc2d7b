using Nexus.Hosting;
using Nexus.MpcSigner;

var builder = WebApplication.CreateBuilder(args);
builder.AddMpcSigner();
var app = builder.Build();
app.MapNexusDefaults();
app.MapSignerRounds();
return await app.RunNexusAsync();
