using Nexus.Hosting;
using Nexus.Sequencer;

var builder = WebApplication.CreateBuilder(args);
builder.AddSequencer();
var app = builder.Build();
app.MapNexusDefaults();
return await app.RunNexusAsync();
