using Microsoft.Extensions.Hosting;
using Pipeline.Core.Hosting;
using Pipeline.GetTweets;

if (ServiceCommands.IsCommand(args))
{
    return await ServiceCommands.RunAsync(args);
}

var builder = Host.CreateApplicationBuilder(args);
builder.AddPipelineDefaults();
builder.AddOperations().AddCollectorHealthCheck();
builder.AddCollector();
return await builder.Build().RunServiceAsync("get_tweets");
