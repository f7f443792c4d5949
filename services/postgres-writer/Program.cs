using Microsoft.Extensions.Hosting;
using Pipeline.Core.Hosting;
using Pipeline.PostgresWriter;

if (ServiceCommands.IsCommand(args))
{
    return await ServiceCommands.RunAsync(args);
}

if (WriterCommands.IsCommand(args))
{
    return await WriterCommands.RunAsync(args);
}

var builder = Host.CreateApplicationBuilder(args);
builder.AddPipelineDefaults();
builder.AddOperations();
builder.AddPostgresWriter();
builder.AddQueueConsumer<TweetBatchHandler>();
return await builder.Build().RunServiceAsync("postgres-writer");
