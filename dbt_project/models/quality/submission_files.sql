with

file_status as (

    select * from {{ source('ingest', 'file_status') }}

),

final as (

    select
        unit_code,
        file,
        source_file,
        rows_read,
        rows_accepted,
        rows_rejected,
        status,
        rule,
        message
    from file_status

)

select * from final
