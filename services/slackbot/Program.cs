using Microsoft.Extensions.Hosting;
using Pipeline.Core.Hosting;
using Pipeline.Slackbot;

if (ServiceCommands.IsCommand(args))
{
    return await ServiceCommands.RunAsync(args);
}

var builder = Host.CreateApplicationBuilder(args);
builder.AddPipelineDefaults();
builder.AddOperations();
builder.AddSlackWebhook();
builder.AddSlackbot();
return await builder.Build().RunServiceAsync("slackbot");
