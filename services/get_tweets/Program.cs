using Microsoft.Extensions.Hosting;
using Pipeline.Core.Hosting;
using Pipeline.GetTweets;

if (ServiceCommands.IsCommand(args))
{
    return await ServiceCommands.RunAsync(args);
}

// A mistyped command must not start the service: with a bearer token that would spend rate limit.
if (ServiceCommands.IsUnknownCommand(args))
{
    return await ServiceCommands.RejectUnknownCommandAsync(args, "get_tweets");
}

var builder = Host.CreateApplicationBuilder(args);
builder.AddPipelineDefaults();
builder.AddOperations().AddCollectorHealthCheck();
builder.AddCollector();
return await builder.Build().RunServiceAsync("get_tweets");
