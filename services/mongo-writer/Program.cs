using Microsoft.Extensions.Hosting;
using MongoDB.Bson;
using MongoDB.Driver;
using Pipeline.Core.Hosting;
using Pipeline.MongoWriter;

if (ServiceCommands.IsCommand(args))
{
    return await ServiceCommands.RunAsync(args);
}

if (MongoWriterCommands.IsCommand(args))
{
    return await MongoWriterCommands.RunAsync(args);
}

var builder = Host.CreateApplicationBuilder(args);
builder.AddPipelineDefaults();
builder.AddOperations().AddDependencyCheck<IMongoDatabase>("mongo", (database, token) => database.RunCommandAsync<BsonDocument>("{ ping: 1 }", cancellationToken: token));
builder.AddMongo();
builder.AddMongoWriter();
return await builder.Build().RunServiceAsync("mongo-writer");
