using Microsoft.Extensions.Hosting;
using Pipeline.Core.Hosting;
using Pipeline.MongoWriter;

var builder = Host.CreateApplicationBuilder(args);
builder.AddPipelineDefaults();
builder.AddMongo();
builder.AddMongoWriter();
return await builder.Build().RunServiceAsync("mongo-writer");
